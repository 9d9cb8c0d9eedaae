import FFCDiagnostics

/// Turns source text into tokens. Newlines end statements, except inside brackets, so a long
/// expression or matrix literal may span lines. `#` starts a comment that runs to the end of the
/// line.
public struct Lexer {
  private let file: SourceFile
  private let bytes: [UInt8]
  private var position = 0
  private var depth = 0
  /// Whether the last token handed out ended a line (true at the start): a blank line, or a
  /// newline before the first statement, gives no token.
  private var afterNewline = true
  public private(set) var diagnostics: [Diagnostic] = []

  public init(_ file: SourceFile) {
    self.file = file
    self.bytes = file.bytes
  }

  /// The next token. Tokens are made one at a time as the parser asks, so a long file never has
  /// all its tokens in memory at once. The last line always ends with a newline token, and
  /// `.endOfFile` comes last (and again on every later call).
  public mutating func nextToken() -> Token {
    while let token = next() {
      if token.kind == .newline {
        if afterNewline { continue }
        afterNewline = true
      } else {
        afterNewline = false
      }
      return token
    }
    if !afterNewline {
      afterNewline = true
      return Token(kind: .newline, text: "\n", start: bytes.count, end: bytes.count)
    }
    return Token(kind: .endOfFile, text: "", start: bytes.count, end: bytes.count)
  }

  /// A point to come back to with `reset`: the parser reads a list of numbers ahead and, when
  /// it turns out to be something else, reads it again token by token.
  struct Mark {
    fileprivate let position: Int
    fileprivate let depth: Int
    fileprivate let afterNewline: Bool
    fileprivate let diagnosticCount: Int
  }

  var mark: Mark {
    Mark(
      position: position, depth: depth, afterNewline: afterNewline,
      diagnosticCount: diagnostics.count)
  }

  /// Back to `mark`, forgetting what was reported since (it will be reported again).
  mutating func reset(to mark: Mark) {
    position = mark.position
    depth = mark.depth
    afterNewline = mark.afterNewline
    diagnostics.removeSubrange(mark.diagnosticCount...)
  }

  private mutating func next() -> Token? {
    while position < bytes.count {
      let start = position
      let byte = bytes[position]
      switch byte {
      case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
        position += 1
      case UInt8(ascii: "#"):
        while position < bytes.count, bytes[position] != UInt8(ascii: "\n") { position += 1 }
      case UInt8(ascii: "\n"):
        position += 1
        if depth == 0 { return Token(kind: .newline, text: "\n", start: start, end: position) }
      case _ where isDigit(byte) || (byte == UInt8(ascii: ".") && isDigit(peek(1))):
        return number()
      case UInt8(ascii: "\""):
        return string()
      case _ where isIdentifierStart(byte) || unicodeLetterLength(at: position) > 0:
        while position < bytes.count {
          if isIdentifierPart(bytes[position]) {
            position += 1
          } else if case let length = unicodeLetterLength(at: position), length > 0 {
            position += length
          } else {
            break
          }
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        return Token(
          kind: Keyword.all.contains(text) ? .keyword : .identifier, text: text, start: start,
          end: position)
      default:
        if let token = symbol() { return token }
        let scalarLength = utf8Length(byte)
        position = min(bytes.count, position + scalarLength)
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        diagnostics.append(.unexpectedCharacter(text, at: file.range(start, position)))
      }
    }
    return nil
  }

  private mutating func number() -> Token {
    let start = position
    while isDigit(peek(0)) { position += 1 }
    let exponentFollows =
      (peek(1) == UInt8(ascii: "e") || peek(1) == UInt8(ascii: "E"))
      && (isDigit(peek(2))
        || ((peek(2) == UInt8(ascii: "+") || peek(2) == UInt8(ascii: "-")) && isDigit(peek(3))))
    if peek(0) == UInt8(ascii: "."),
      isDigit(peek(1)) || !isIdentifierStart(peek(1)) || exponentFollows
    {
      position += 1
      while isDigit(peek(0)) { position += 1 }
    }
    if peek(0) == UInt8(ascii: "e") || peek(0) == UInt8(ascii: "E") {
      let sign = peek(1) == UInt8(ascii: "+") || peek(1) == UInt8(ascii: "-") ? 1 : 0
      if isDigit(peek(1 + sign)) {
        position += 1 + sign
        while isDigit(peek(0)) { position += 1 }
      } else {
        position += 1 + sign
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        diagnostics.append(.malformedNumber(text, at: file.range(start, position)))
      }
    }
    let text = String(decoding: bytes[start..<position], as: UTF8.self)
    return Token(kind: .number, text: text, start: start, end: position)
  }

  /// A string in double quotes, on one line; `\"` and `\\` are its only escapes. An unterminated
  /// string or an unknown escape is reported, and the token still made, so parsing goes on.
  private mutating func string() -> Token {
    let start = position
    position += 1
    var value: [UInt8] = []
    while true {
      let byte = peek(0)
      if position >= bytes.count || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
        diagnostics.append(.unterminatedString(at: file.range(start, position)))
        break
      }
      position += 1
      if byte == UInt8(ascii: "\"") { break }
      if byte == UInt8(ascii: "\\") {
        let escaped = peek(0)
        if escaped == UInt8(ascii: "\"") || escaped == UInt8(ascii: "\\") {
          value.append(escaped)
          position += 1
        } else {
          diagnostics.append(
            .unknownEscape(at: file.range(position - 1, min(bytes.count, position + 1))))
        }
        continue
      }
      value.append(byte)
    }
    return Token(
      kind: .string, text: String(decoding: value, as: UTF8.self), start: start, end: position)
  }

  /// The one-byte symbols by byte; `**` is the only longer one.
  private static let symbols: [String?] = {
    var table = [String?](repeating: nil, count: 128)
    for symbol in [
      "(", ")", "[", "]", ",", "=", ":", ".", "+", "-", "*", "/", "^", "@", ";", "{", "}",
    ] {
      table[Int(symbol.utf8.first!)] = symbol
    }
    return table
  }()

  private mutating func symbol() -> Token? {
    let start = position
    let byte = bytes[position]
    guard byte < 0x80, var symbol = Self.symbols[Int(byte)] else { return nil }
    if symbol == "*" && peek(1) == UInt8(ascii: "*") { symbol = "**" }
    position += symbol.utf8.count
    switch symbol {
    case "(", "[": depth += 1
    case ")", "]": depth = max(0, depth - 1)
    case ";": return Token(kind: .newline, text: ";", start: start, end: position)
    default: break
    }
    return Token(kind: .symbol, text: symbol, start: start, end: position)
  }

  private func peek(_ offset: Int) -> UInt8 {
    position + offset < bytes.count ? bytes[position + offset] : 0
  }

  /// The byte length of a non-ASCII letter (or combining mark) at `offset`, or 0.
  private func unicodeLetterLength(at offset: Int) -> Int {
    guard offset < bytes.count, bytes[offset] >= 0x80 else { return 0 }
    let length = min(utf8Length(bytes[offset]), bytes.count - offset)
    guard
      let scalar = String(decoding: bytes[offset..<offset + length], as: UTF8.self).unicodeScalars
        .first
    else { return 0 }
    let properties = scalar.properties
    return properties.isAlphabetic || properties.generalCategory == .nonspacingMark ? length : 0
  }

}

// Byte classes, as free functions: in a debug build a method call copies the lexer (its arrays
// retained and released) once per byte.
private func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
private func isIdentifierStart(_ b: UInt8) -> Bool {
  (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z"))
    || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
    || b == UInt8(ascii: "_")
}
private func isIdentifierPart(_ b: UInt8) -> Bool { isIdentifierStart(b) || isDigit(b) }

private func utf8Length(_ lead: UInt8) -> Int {
  switch lead {
  case 0xF0...: 4
  case 0xE0...: 3
  case 0xC0...: 2
  default: 1
  }
}
