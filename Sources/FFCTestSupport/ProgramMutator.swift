import FFCTensor

/// Seeded random edits of a program's text, for the fuzz tests: the compiler must answer every
/// result with a graph or located diagnostics (exit 0, 1 or 2), never a crash or a hang. The
/// edits mix the lexical (a character deleted, replaced or inserted, the text cut short) with the
/// structural (a line duplicated, dropped or swapped, a token from the language put anywhere, a
/// number replaced by an extreme one), so that most results still lex and many still parse.
public struct ProgramMutator {
  static let tokens = [
    "(", ")", "[", "]", ",", "=", "+", "-", "*", "/", "**", "@", "#", "\n", " ", "param", "input",
    "target", "label", "const", "output", "loss", "grad(", "where(", "sum(", "dense(", "mean(",
    "sqrt(", "log(", "exp(", "relu(", "N", "x", "L", "axis=", "keepdims=1", "1e400", "1e-400",
    "-0", "0", "3", "2147483648", "9999999999999999999", "0.5", "[[1, 2], [3, 4]]", "[", "\u{200B}",
    "é", "\t", "\r\n", "\"", "'", ";", "..", "_",
  ]

  var rng: SplitMix64

  public init(seed: UInt64) { rng = SplitMix64(seed: seed &* 0xD6E8_FEB8_6659_FD93 &+ 3) }

  /// `text` with one to four random edits.
  public mutating func mutate(_ text: String) -> String {
    var characters = Array(text)
    for _ in 0..<(1 + Int(rng.next() % 4)) { edit(&characters) }
    return String(characters)
  }

  private mutating func edit(_ text: inout [Character]) {
    let position = Int(rng.next() % UInt64(text.count + 1))
    switch rng.next() % 8 {
    case 0 where position < text.count: text.remove(at: position)
    case 1: text.insert(contentsOf: pick(Self.tokens), at: position)
    case 2 where position < text.count: text[position] = pick(Array("()[],=+-*/0123456789.e xN\n"))
    case 3: text.removeSubrange(position...)
    case 4: lines(&text) { lines, i, rng in lines.insert(lines[i], at: i) }
    case 5: lines(&text) { lines, i, rng in lines.remove(at: i) }
    case 6:
      lines(&text) { lines, i, rng in
        lines.swapAt(i, Int(rng.next() % UInt64(lines.count)))
      }
    default: replaceNumber(&text, near: position)
    }
  }

  /// Applies `change` to the text's lines at a random line.
  private mutating func lines(
    _ text: inout [Character], _ change: ([String], Int, inout SplitMix64) -> [String]
  ) {
    var lines = String(text).split(separator: "\n", omittingEmptySubsequences: false).map(
      String.init)
    guard !lines.isEmpty else { return }
    lines = change(lines, Int(rng.next() % UInt64(lines.count)), &rng)
    text = Array(lines.joined(separator: "\n"))
  }

  private mutating func lines(
    _ text: inout [Character], _ change: (inout [String], Int, inout SplitMix64) -> Void
  ) {
    lines(&text) { (lines: [String], i: Int, rng: inout SplitMix64) -> [String] in
      var copy = lines
      change(&copy, i, &rng)
      return copy
    }
  }

  /// The first number at or after `position` becomes an extreme one.
  private mutating func replaceNumber(_ text: inout [Character], near position: Int) {
    guard let start = text[position...].firstIndex(where: \.isNumber) else { return }
    let end =
      text[start...].firstIndex { !($0.isNumber || $0 == "." || $0 == "e") } ?? text.endIndex
    let extremes = ["0", "1e308", "1e-320", "3.4e38", "1e39", "1e-46", "100000000", "65536", "-1"]
    text.replaceSubrange(start..<end, with: pick(extremes))
  }

  private mutating func pick<T>(_ items: [T]) -> T { items[Int(rng.next() % UInt64(items.count))] }
}
