/// A small strict JSON reader and writer (RFC 8259) for the headers of safetensors files: objects
/// keep their keys in file order and refuse a repeated key; numbers keep their text, so an integer
/// is read exactly. Nesting is followed with an explicit stack, never recursion.
public indirect enum JSONValue: Sendable, Equatable {
  case object([(key: String, value: JSONValue)])
  case array([JSONValue])
  case string(String)
  /// The number as written (validated), so that a caller reads an Int or a Double exactly.
  case number(String)
  case bool(Bool)
  case null

  public static func == (a: JSONValue, b: JSONValue) -> Bool {
    switch (a, b) {
    case (.object(let x), .object(let y)):
      x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    case (.array(let x), .array(let y)): x == y
    case (.string(let x), .string(let y)): x == y
    case (.number(let x), .number(let y)): x == y
    case (.bool(let x), .bool(let y)): x == y
    case (.null, .null): true
    default: false
    }
  }

  /// A whole number that fits in an Int, written without fraction or exponent.
  public var integer: Int? {
    guard case .number(let text) = self, !text.contains(where: { ".eE".contains($0) }) else {
      return nil
    }
    return Int(text)
  }

  public var string: String? {
    if case .string(let s) = self { s } else { nil }
  }

  /// What the value is, for messages: "an object", "a string", ...
  public var kindName: String {
    switch self {
    case .object: "an object"
    case .array: "a list"
    case .string: "a string"
    case .number: "a number"
    case .bool: "a boolean"
    case .null: "null"
    }
  }
}

public enum JSON {
  /// Nesting deeper than this is refused (safetensors headers are three levels deep).
  public static let maximumDepth = 64

  /// Writes `text` as a JSON string: quotes, backslashes and control characters escaped.
  public static func quoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where scalar.value < 0x20:
        let hex = String(scalar.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }

  /// Parses one JSON value from UTF-8 bytes; whitespace may surround it. The error says what is
  /// wrong and at which byte.
  public static func parse<Bytes: RandomAccessCollection>(_ bytes: Bytes) throws(JSONError)
    -> JSONValue where Bytes.Element == UInt8, Bytes.Index == Int
  {
    var reader = JSONReader(bytes: Array(bytes))
    return try reader.document()
  }
}

/// What is wrong with a JSON text, and the byte offset where it was found.
public struct JSONError: Error, Sendable, Equatable {
  public let message: String
  public let offset: Int
}
