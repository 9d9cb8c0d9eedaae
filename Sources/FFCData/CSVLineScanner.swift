import Foundation

/// One field of a CSV line as byte offsets into the file: `start..<end` is the field as written
/// (surrounding blanks trimmed, quotes included), which is what a diagnostic underlines;
/// `contentStart..<contentEnd` is its text without the quotes.
struct CSVField {
  var start: Int
  var end: Int
  var contentStart: Int
  var contentEnd: Int
  /// A quoted field with `""` inside, whose text must be unescaped.
  var hasDoubledQuotes = false

  var isEmpty: Bool { contentStart == contentEnd }
}

/// What is wrong with a line, as byte offsets; the reader turns it into a diagnostic.
struct CSVLineProblem {
  let message: String
  let start: Int
  let end: Int
}

/// Splits one line into fields: ',' separates, spaces, tabs and '\r' around a field are blanks,
/// and a field may be double-quoted (RFC 4180, `""` is a quote inside one) so that a header name
/// can contain a comma: `"x[0,1]"`. A quoted field ends on its line: a line break inside quotes
/// is an unterminated quote, which keeps every line independent (and reading linear).
enum CSVLineScanner {
  static let comma = UInt8(ascii: ",")
  static let quote = UInt8(ascii: "\"")
  static let newline = UInt8(ascii: "\n")

  static func isBlank(_ byte: UInt8) -> Bool {
    byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
  }

  /// Where the content of the line starting at `lineStart` begins: after a UTF-8 byte order mark
  /// at the very start of the file (spreadsheets write one), else at the line start.
  static func contentStart(_ bytes: [UInt8], lineStart: Int, base: Int) -> Int {
    let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
    if base + lineStart == 0, bytes.count >= 3, Array(bytes[0..<3]) == bom { return 3 }
    return lineStart
  }

  static func isBlankLine(_ bytes: [UInt8], _ start: Int, _ end: Int) -> Bool {
    var i = start
    while i < end {
      if !isBlank(bytes[i]) { return false }
      i += 1
    }
    return true
  }

  /// Fills `fields` with the fields of `bytes[start..<end]` (one line without its '\n'); `base`
  /// is added to every offset, for callers that hold only one line of the file. Always yields at
  /// least one field.
  static func split(
    _ bytes: [UInt8], _ start: Int, _ end: Int, base: Int, into fields: inout [CSVField]
  ) -> CSVLineProblem? {
    fields.removeAll(keepingCapacity: true)
    var i = start
    while true {
      while i < end, isBlank(bytes[i]) { i += 1 }
      let fieldStart = i
      var field: CSVField
      if i < end, bytes[i] == quote {
        i += 1
        let contentStart = i
        var doubled = false
        while i < end {
          if bytes[i] == quote {
            if i + 1 < end, bytes[i + 1] == quote {
              doubled = true
              i += 2
              continue
            }
            break
          }
          i += 1
        }
        guard i < end else {
          return CSVLineProblem(
            message: "unterminated quote", start: base + fieldStart, end: base + end)
        }
        field = CSVField(
          start: base + fieldStart, end: base + i + 1, contentStart: base + contentStart,
          contentEnd: base + i, hasDoubledQuotes: doubled)
        i += 1
        while i < end, isBlank(bytes[i]) { i += 1 }
        if i < end, bytes[i] != comma {
          var next = i + 1
          while next < end, bytes[next] & 0xC0 == 0x80 { next += 1 }  // the whole character
          let text = String(decoding: bytes[i..<next], as: UTF8.self)
          return CSVLineProblem(
            message: "unexpected '\(text)' after a closing quote; expected ','", start: base + i,
            end: base + next)
        }
      } else {
        while i < end, bytes[i] != comma { i += 1 }
        var fieldEnd = i
        while fieldEnd > fieldStart, isBlank(bytes[fieldEnd - 1]) { fieldEnd -= 1 }
        field = CSVField(
          start: base + fieldStart, end: base + fieldEnd, contentStart: base + fieldStart,
          contentEnd: base + fieldEnd)
      }
      fields.append(field)
      guard i < end else { return nil }
      i += 1  // past the comma
    }
  }

  /// The field's text, unquoted and unescaped.
  static func text(of field: CSVField, in bytes: [UInt8], base: Int) -> String {
    let raw = String(
      decoding: bytes[(field.contentStart - base)..<(field.contentEnd - base)], as: UTF8.self)
    return field.hasDoubledQuotes ? raw.replacingOccurrences(of: "\"\"", with: "\"") : raw
  }
}
