import FFCIR

/// Lays out a literal for a written program: a scalar as a number; a vector on one line; a matrix
/// (or a tensor of higher rank) with one row per line, every row under the first. A line that would pass `width` columns
/// breaks after a comma and goes on under the first number of its row, so a wide layer stays
/// readable. Numbers are the shortest text that reads back as the same value.
///
/// The bytes go straight into the caller's buffer, one number at a time, so that writing a large
/// parameter costs its text and nothing per element besides (no array of number texts).
enum LiteralLayout {
  static let width = 100

  /// Appends the literal of `tensor` (any rank) to `out`, starting at `column` (0-based) of a
  /// line that begins with `lead`, the whitespace that reaches that column (tabs kept, so columns
  /// line up).
  static func write(
    _ tensor: Tensor, column: Int, lead: [UInt8], newline: [UInt8], precision: Precision,
    into out: inout [UInt8]
  ) {
    var writer = Writer(
      scalars: tensor.scalars, precision: precision, newline: newline,
      limit: max(width, column + 40))
    switch tensor.rank {
    case 0:
      writer.number(0, into: &out)
    case 1:
      writer.row(0..<tensor.count, column: column, lead: lead, into: &out)
    default:
      writer.nested(tensor.shape, column: column, lead: lead, into: &out)
    }
  }

  /// The numbers being written and how lines break.
  private struct Writer {
    let scalars: [Double]
    let precision: Precision
    let newline: [UInt8]
    let limit: Int

    /// The shortest text of element `i`, appended.
    func number(_ i: Int, into out: inout [UInt8]) {
      out.append(contentsOf: TensorFormat.number(scalars[i], in: precision).utf8)
    }

    /// A literal of rank 2 or more: one innermost row per line, each under the first, with the
    /// brackets of the outer axes opened before and closed after it (a loop over the rows,
    /// however many axes).
    func nested(_ shape: [Int], column: Int, lead: [UInt8], into out: inout [UInt8]) {
      let outer = Array(shape.dropLast())
      let width = shape.last ?? 0
      let rows = outer.reduce(1, *)
      let open = UInt8(ascii: "[")
      let close = UInt8(ascii: "]")
      let blank = UInt8(ascii: " ")
      guard rows > 0 else {
        out.append(contentsOf: repeatElement(open, count: outer.count))
        out.append(contentsOf: repeatElement(close, count: outer.count))
        return
      }
      let rowLead = lead + repeatElement(blank, count: outer.count)
      var digits = [Int](repeating: 0, count: outer.count)
      for r in 0..<rows {
        // Axes that start at this row: the trailing digits at 0; those that end: at their last.
        let opens = digits.reversed().prefix { $0 == 0 }.count
        let closes = zip(digits, outer).reversed().prefix { $0 == $1 - 1 }.count
        if r > 0 {
          out.append(UInt8(ascii: ","))
          out.append(contentsOf: newline)
          out.append(contentsOf: lead)
          out.append(contentsOf: repeatElement(blank, count: outer.count - opens))
        }
        out.append(contentsOf: repeatElement(open, count: opens))
        row(r * width..<(r + 1) * width, column: column + outer.count, lead: rowLead, into: &out)
        out.append(contentsOf: repeatElement(close, count: closes))
        var axis = outer.count - 1
        while axis >= 0 {
          digits[axis] += 1
          if digits[axis] < outer[axis] { break }
          digits[axis] = 0
          axis -= 1
        }
      }
    }

    /// `[a, b, c]` of the elements `elements`, starting at `column`; continuation lines start
    /// with `lead` and one more blank.
    func row(_ elements: Range<Int>, column: Int, lead: [UInt8], into out: inout [UInt8]) {
      out.append(UInt8(ascii: "["))
      var at = column + 1
      for i in elements {
        // One number's text at a time, never kept: its width decides where it goes.
        let text = TensorFormat.number(scalars[i], in: precision).utf8
        if i > elements.lowerBound {
          // Room for ", number" and the closing "]" or ",".
          if at + 2 + text.count + 1 > limit {
            out.append(UInt8(ascii: ","))
            out.append(contentsOf: newline)
            out.append(contentsOf: lead)
            out.append(UInt8(ascii: " "))
            at = column + 1
          } else {
            out.append(contentsOf: ", ".utf8)
            at += 2
          }
        }
        out.append(contentsOf: text)
        at += text.count
      }
      out.append(UInt8(ascii: "]"))
    }
  }
}
