import FFCIR

/// Lays out a literal for a written program: a scalar as a number; a vector on one line; a matrix
/// with one row per line, every row under the first. A line that would pass `width` columns
/// breaks after a comma and goes on under the first number of its row, so a wide layer stays
/// readable. Numbers are the shortest text that reads back as the same value.
enum LiteralLayout {
  static let width = 100

  /// The literal of `tensor` (rank 0 to 2) starting at `column` (0-based) of a line that begins
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
      let columns = tensor.shape[1]
      var out = "["
      for r in 0..<tensor.shape[0] {
        if r > 0 { out += "," + newline + lead + " " }
        out += row(
          numbers[r * columns..<(r + 1) * columns], column: column + 1, lead: lead + " ",
          limit: limit, newline: newline)
      }
      return out + "]"
    }
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
