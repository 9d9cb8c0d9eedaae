import FFCTensor

/// Sizes bound to shape symbols (`N` = 150), in the order they were bound, each with what bound
/// it ("the data", "--set X", "the default of 't'") so a conflict names both sides. Kept as an
/// array, not a dictionary: few symbols, and the order is part of the output.
struct SymbolTable: Sendable {
  static let dataSource = "the data"

  private(set) var entries: [(symbol: String, size: Int, source: String)] = []

  var bindings: [(symbol: String, size: Int)] { entries.map { ($0.symbol, $0.size) } }

  func lookup(_ symbol: String) -> (size: Int, source: String)? {
    entries.first { $0.symbol == symbol }.map { ($0.size, $0.source) }
  }

  /// Binds `symbol` unless it is already bound; returns the message of a conflict.
  mutating func bind(_ symbol: String, _ size: Int, source: String) -> String? {
    if let bound = lookup(symbol) {
      guard bound.size != size else { return nil }
      return conflict(symbol, size, source: source, bound: bound)
    }
    entries.append((symbol, size, source))
    return nil
  }

  /// Matches concrete `sizes` against a declared shape, binding its symbols; returns what does
  /// not match, in words, or nil. `subject` is what has the sizes ("the default of 't'").
  mutating func unify(_ declared: Shape, _ sizes: [Int], name: String, subject: String) -> String? {
    guard declared.rank == sizes.count else {
      return "\(subject) has shape \(sizes), but '\(name)' is declared \(declared)"
    }
    for (dim, size) in zip(declared.dims, sizes) {
      switch dim {
      case .fixed(let n) where n != size:
        return "\(subject) has shape \(sizes), but '\(name)' is declared \(declared)"
      case .fixed:
        continue
      case .symbol(let symbol):
        if let conflict = bind(symbol, size, source: subject) { return conflict }
      }
    }
    return nil
  }

  /// `--set X makes 'N' = 4, but the data has 150 rows`.
  private func conflict(
    _ symbol: String, _ size: Int, source: String, bound: (size: Int, source: String)
  ) -> String {
    let other =
      bound.source == Self.dataSource
      ? "the data has \(plural(bound.size, "row"))"
      : "\(bound.source) makes it \(bound.size)"
    return "\(source) makes '\(symbol)' = \(size), but \(other)"
  }
}
