/// The parser behind `JSON.parse`: containers being filled are kept on a stack, so nesting costs
/// memory, not call depth.
struct JSONReader {
  let bytes: [UInt8]
  var position = 0

  init(bytes: [UInt8]) { self.bytes = bytes }

  private enum Frame {
    case object([(key: String, value: JSONValue)], pendingKey: String?)
    case array([JSONValue])
  }

  mutating func document() throws(JSONError) -> JSONValue {
    var stack: [Frame] = []
    var finished: JSONValue?
    while finished == nil {
      skipBlanks()
      // Where a value is expected, it starts here; a container only opens a frame.
      var value: JSONValue?
      if case .object(let members, nil)? = stack.last {
        if peek == UInt8(ascii: "}"), members.isEmpty {
          position += 1
          stack.removeLast()
          value = .object(members)
        } else {
          guard peek == UInt8(ascii: "\"") else { throw fail("expected a quoted key") }
          let key = try string()
          if members.contains(where: { $0.key == key }) {
            throw fail("the key \(JSON.quoted(key)) appears twice")
          }
          skipBlanks()
          try expect(":")
          stack[stack.count - 1] = .object(members, pendingKey: key)
          continue
        }
      } else if case .array(let elements)? = stack.last, elements.isEmpty,
        peek == UInt8(ascii: "]")
      {
        position += 1
        stack.removeLast()
        value = .array(elements)
      } else {
        switch peek {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
          guard stack.count < JSON.maximumDepth else {
            throw fail("nested deeper than \(JSON.maximumDepth) levels")
          }
          stack.append(peek == UInt8(ascii: "{") ? .object([], pendingKey: nil) : .array([]))
          position += 1
          continue
        default:
          value = try scalar()
        }
      }
      // A finished value goes into its container, which may finish in turn.
      var done = value!
      while true {
        guard let top = stack.popLast() else {
          finished = done
          break
        }
        skipBlanks()
        switch top {
        case .object(var members, let key?):
          members.append((key, done))
          if peek == UInt8(ascii: ",") {
            position += 1
            stack.append(.object(members, pendingKey: nil))
          } else if peek == UInt8(ascii: "}") {
            position += 1
            done = .object(members)
            continue
          } else {
            throw fail("expected ',' or '}' after a value in an object")
          }
        case .array(var elements):
          elements.append(done)
          if peek == UInt8(ascii: ",") {
            position += 1
            stack.append(.array(elements))
          } else if peek == UInt8(ascii: "]") {
            position += 1
            done = .array(elements)
            continue
          } else {
            throw fail("expected ',' or ']' after a value in a list")
          }
        case .object(_, nil):
          throw fail("expected a key")
        }
        break
      }
    }
    skipBlanks()
    guard position == bytes.count else { throw fail("unexpected text after the JSON value") }
    return finished!
  }

  private var peek: UInt8 { position < bytes.count ? bytes[position] : 0 }

  private func fail(_ message: String) -> JSONError {
    JSONError(
      message: position >= bytes.count ? "\(message), found the end" : message, offset: position)
  }

  private mutating func skipBlanks() {
    while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) {
      position += 1
    }
  }

  private mutating func expect(_ symbol: Unicode.Scalar) throws(JSONError) {
    guard peek == UInt8(ascii: symbol) else { throw fail("expected '\(symbol)'") }
    position += 1
  }

  private mutating func scalar() throws(JSONError) -> JSONValue {
    switch peek {
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "t"):
      try word("true")
      return .bool(true)
    case UInt8(ascii: "f"):
      try word("false")
      return .bool(false)
    case UInt8(ascii: "n"):
      try word("null")
      return .null
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
    default: throw fail("expected a value")
    }
  }

  private mutating func word(_ text: String) throws(JSONError) {
    let utf8 = Array(text.utf8)
    guard position + utf8.count <= bytes.count,
      Array(bytes[position..<position + utf8.count]) == utf8
    else { throw fail("expected a value") }
    position += utf8.count
  }

  /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
  private mutating func number() throws(JSONError) -> String {
    let start = position
    if peek == UInt8(ascii: "-") { position += 1 }
    guard isDigit(peek) else { throw fail("expected a digit") }
    if peek == UInt8(ascii: "0") {
      position += 1
    } else {
      while isDigit(peek) { position += 1 }
    }
    if peek == UInt8(ascii: ".") {
      position += 1
      guard isDigit(peek) else { throw fail("expected a digit after '.'") }
      while isDigit(peek) { position += 1 }
    }
    if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
      position += 1
      if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { position += 1 }
      guard isDigit(peek) else { throw fail("expected a digit in the exponent") }
      while isDigit(peek) { position += 1 }
    }
    return String(decoding: bytes[start..<position], as: UTF8.self)
  }

  private func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

  /// A quoted string: escapes decoded, raw control characters and invalid UTF-8 refused.
  private mutating func string() throws(JSONError) -> String {
    position += 1
    var scalars = String.UnicodeScalarView()
    var runStart = position
    while true {
      guard position < bytes.count else { throw fail("unterminated string") }
      let byte = bytes[position]
      if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
        try appendUTF8(bytes[runStart..<position], to: &scalars)
        if byte == UInt8(ascii: "\"") {
          position += 1
          return String(scalars)
        }
        scalars.append(try escape())
        runStart = position
      } else if byte < 0x20 {
        throw fail("a control character inside a string")
      } else {
        position += 1
      }
    }
  }

  private func appendUTF8(_ run: ArraySlice<UInt8>, to scalars: inout String.UnicodeScalarView)
    throws(JSONError)
  {
    var iterator = run.makeIterator()
    var decoder = UTF8()
    while true {
      switch decoder.decode(&iterator) {
      case .scalarValue(let scalar): scalars.append(scalar)
      case .emptyInput: return
      case .error: throw JSONError(message: "a string is not valid UTF-8", offset: run.startIndex)
      }
    }
  }

  /// After a backslash: one escape, `\uXXXX` pairs for characters beyond the basic plane.
  private mutating func escape() throws(JSONError) -> Unicode.Scalar {
    position += 1
    let letter = peek
    position += 1
    switch letter {
    case UInt8(ascii: "\""): return "\""
    case UInt8(ascii: "\\"): return "\\"
    case UInt8(ascii: "/"): return "/"
    case UInt8(ascii: "b"): return "\u{8}"
    case UInt8(ascii: "f"): return "\u{C}"
    case UInt8(ascii: "n"): return "\n"
    case UInt8(ascii: "r"): return "\r"
    case UInt8(ascii: "t"): return "\t"
    case UInt8(ascii: "u"):
      let high = try hex4()
      if (0xD800..<0xDC00).contains(high) {
        guard peek == UInt8(ascii: "\\"), position + 1 < bytes.count,
          bytes[position + 1] == UInt8(ascii: "u")
        else { throw fail("an unpaired surrogate in a \\u escape") }
        position += 2
        let low = try hex4()
        guard (0xDC00..<0xE000).contains(low) else {
          throw fail("an unpaired surrogate in a \\u escape")
        }
        return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))!
      }
      guard let scalar = Unicode.Scalar(high) else {
        throw fail("an unpaired surrogate in a \\u escape")
      }
      return scalar
    default:
      position -= 1
      throw fail("an unknown escape in a string")
    }
  }

  private mutating func hex4() throws(JSONError) -> UInt32 {
    guard position + 4 <= bytes.count else { throw fail("a short \\u escape") }
    var value: UInt32 = 0
    for byte in bytes[position..<position + 4] {
      guard let digit = Character(Unicode.Scalar(byte)).hexDigitValue else {
        throw fail("a \\u escape needs four hex digits")
      }
      value = value * 16 + UInt32(digit)
    }
    position += 4
    return value
  }
}
