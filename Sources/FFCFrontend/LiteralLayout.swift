import FFCIR

/// Lays out a literal for a written program: a scalar as a number; a vector on one line; a matrix
/// (or a tensor of higher rank) with one row per line, every row under the first. A line that would pass `width` columns
/// breaks after a comma and goes on under the first number of its row, so a wide layer stays
/// readable. Numbers are the shortest text that reads back as the same value.
enum LiteralLayout {
  static let width = 100

  /// The literal of `tensor` (any rank) starting at `column` (0-based) of a line that begins
  /// with `lead`, the whitespace that reaches that column (tabs kept, so columns line up).
  static func text(
    _ tensor: Tensor, column: Int, lead: String, newline: String, precision: Precision
  ) -> String {
    let numbers = tensor.scalars.map { TensorFormat.number($0, in: precision) }
    let limit = max(width, column + 40)
    switch tensor.rank {
    case 0:
      return numbers[0]
    case 1:
      return row(numbers[...], column: column, lead: lead, limit: limit, newline: newline)
    default:
      return nested(
        tensor.shape, numbers, column: column, lead: lead, limit: limit, newline: newline)
    }
  }

  /// A literal of rank 2 or more: one innermost row per line, each under the first, with the
  /// brackets of the outer axes opened before and closed after it (a loop over the rows, however
  /// many axes).
  private static func nested(
    _ shape: [Int], _ numbers: [String], column: Int, lead: String, limit: Int, newline: String
  ) -> String {
    let outer = Array(shape.dropLast())
    let width = shape.last ?? 0
    let rows = outer.reduce(1, *)
    guard rows > 0 else {
      return String(repeating: "[", count: outer.count) + String(repeating: "]", count: outer.count)
    }
    var out = ""
    var digits = [Int](repeating: 0, count: outer.count)
    for r in 0..<rows {
      // Axes that start at this row: the trailing digits at 0; those that end: at their last.
      let opens = digits.reversed().prefix { $0 == 0 }.count
      let closes = zip(digits, outer).reversed().prefix { $0 == $1 - 1 }.count
      if r > 0 { out += "," + newline + lead + String(repeating: " ", count: outer.count - opens) }
      out += String(repeating: "[", count: opens)
      out += row(
        numbers[r * width..<(r + 1) * width], column: column + outer.count,
        lead: lead + String(repeating: " ", count: outer.count), limit: limit, newline: newline)
      out += String(repeating: "]", count: closes)
      var axis = outer.count - 1
      while axis >= 0 {
        digits[axis] += 1
        if digits[axis] < outer[axis] { break }
        digits[axis] = 0
        axis -= 1
      }
    }
    return out
  }

  /// `[a, b, c]` starting at `column`; continuation lines start with `lead` and one more blank.
  private static func row(
    _ numbers: ArraySlice<String>, column: Int, lead: String, limit: Int, newline: String
  ) -> String {
    var out = "["
    var at = column + 1
    for (i, number) in numbers.enumerated() {
      if i > 0 {
        // Room for ", number" and the closing "]" or ",".
        if at + 2 + number.count + 1 > limit {
          out += "," + newline + lead + " "
          at = column + 1
        } else {
          out += ", "
          at += 2
        }
      }
      out += number
      at += number.count
    }
    return out + "]"
  }
}
