import FFCDiagnostics

/// Turns source text into tokens. Newlines end statements, except inside brackets, so a long
/// expression or matrix literal may span lines. `#` starts a comment that runs to the end of the
/// line.
public struct Lexer {
  private let file: SourceFile
  private let bytes: [UInt8]
  private var position = 0
  private var depth = 0
  public private(set) var diagnostics: [Diagnostic] = []

  public init(_ file: SourceFile) {
    self.file = file
    self.bytes = Array(file.text.utf8)
  }

  public mutating func tokenize() -> [Token] {
    var tokens: [Token] = []
    while let token = next() {
      if token.kind == .newline, tokens.last.map({ $0.kind == .newline }) ?? true { continue }
      tokens.append(token)
    }
    if let last = tokens.last, last.kind != .newline {
      tokens.append(Token(kind: .newline, text: "\n", start: bytes.count, end: bytes.count))
    }
    tokens.append(Token(kind: .endOfFile, text: "", start: bytes.count, end: bytes.count))
    return tokens
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

  private static let symbols = [
    "**", "(", ")", "[", "]", ",", "=", ":", ".", "+", "-", "*", "/", "^", "@", ";",
  ]
  /// The symbols' bytes, made once: comparing them in place allocates nothing per token.
  private static let symbolBytes = symbols.map { Array($0.utf8) }

  private mutating func symbol() -> Token? {
    for (symbol, utf8) in zip(Self.symbols, Self.symbolBytes) {
      guard position + utf8.count <= bytes.count,
        bytes[position..<position + utf8.count].elementsEqual(utf8)
      else { continue }
      let start = position
      position += utf8.count
      switch symbol {
      case "(", "[": depth += 1
      case ")", "]": depth = max(0, depth - 1)
      case ";": return Token(kind: .newline, text: ";", start: start, end: position)
      default: break
      }
      return Token(kind: .symbol, text: symbol, start: start, end: position)
    }
    return nil
  }

  private func peek(_ offset: Int) -> UInt8 {
    position + offset < bytes.count ? bytes[position + offset] : 0
  }

  private func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
  private func isIdentifierStart(_ b: UInt8) -> Bool {
    (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z"))
      || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
      || b == UInt8(ascii: "_")
  }
  private func isIdentifierPart(_ b: UInt8) -> Bool { isIdentifierStart(b) || isDigit(b) }

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

  private func utf8Length(_ lead: UInt8) -> Int {
    switch lead {
    case 0xF0...: 4
    case 0xE0...: 3
    case 0xC0...: 2
    default: 1
    }
  }
}
