/// A list of numbers read at once: its values row-major, its shape, and its brackets.
struct NumberList {
  let shape: [Int]
  let values: [Double]
  let open: Token
  let close: Token
}

extension Parser {
  /// At a '[' that is read as a literal: a list of numbers, or of equally long rows of numbers,
  /// each number with optional signs, read at once into one node (not a node per number), so a
  /// literal of millions of numbers parses in time and memory proportional to its length.
  /// Anything else (a name, an operator, an empty or ragged list, a number out of range, more
  /// than two dimensions) rewinds to the '[' and returns nil: the list is then parsed node by
  /// node, which means the same and reports what is wrong exactly as before. A failed attempt
  /// marks where it failed, so the lists inside it do not try again: every token is read at most
  /// twice.
  mutating func parseNumberList() -> NumberList? {
    guard current.start >= numberListsFrom else { return nil }
    let start = position
    if let list = readNumberList() { return list }
    numberListsFrom = current.end
    rewind(to: start)
    return nil
  }

  private mutating func readNumberList() -> NumberList? {
    let open = advance()
    var values: [Double] = []
    guard current.is("[") else {
      guard let close = readRow(into: &values) else { return nil }
      return NumberList(shape: [values.count], values: values, open: open, close: close)
    }
    var rows = 0
    var columns = 0
    while true {
      guard current.is("[") else { return nil }
      _ = advance()
      let before = values.count
      guard readRow(into: &values) != nil, rows == 0 || values.count - before == columns else {
        return nil
      }
      columns = values.count - before
      rows += 1
      if current.is(",") {
        _ = advance()
        continue
      }
      guard current.is("]") else { return nil }
      return NumberList(shape: [rows, columns], values: values, open: open, close: advance())
    }
  }

  /// The numbers of one row up to and with its ']' (returned); nil at anything else.
  private mutating func readRow(into values: inout [Double]) -> Token? {
    while true {
      var negative = false
      while current.is("-") || current.is("+") {
        if current.is("-") { negative.toggle() }
        _ = advance()
      }
      guard current.kind == .number, let value = Double(current.text), value.isFinite else {
        return nil
      }
      values.append(negative ? -value : value)
      _ = advance()
      if current.is("]") { return advance() }
      guard current.is(",") else { return nil }
      _ = advance()
    }
  }
}
