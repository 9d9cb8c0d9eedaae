/// A malformed protobuf: what is wrong, and the byte offset in the file where it was found.
public struct ProtobufError: Error, Sendable, Equatable, CustomStringConvertible {
  public let message: String
  public let offset: Int
  public init(_ message: String, at offset: Int) {
    self.message = message
    self.offset = offset
  }
  public var description: String { "\(message) (at byte \(offset))" }
}

/// The protobuf wire format, read from a byte range with every length checked against the range
/// before the bytes it names are touched: a truncated varint, a length past the end, a group or an
/// unknown wire type is a `ProtobufError`, never an over-read. A nested message is a reader over
/// its own sub-range of the same bytes (no copy). Unknown fields are skipped by their wire type.
public struct ProtobufReader: Sendable {
  private let bytes: [UInt8]
  public private(set) var position: Int
  private let end: Int

  public init(_ bytes: [UInt8]) {
    self.bytes = bytes
    self.position = 0
    self.end = bytes.count
  }

  private init(_ bytes: [UInt8], from start: Int, to end: Int) {
    self.bytes = bytes
    self.position = start
    self.end = end
  }

  public var isAtEnd: Bool { position >= end }

  /// The next field's number and wire type; nil at the end of the message.
  public mutating func nextField() throws(ProtobufError) -> (number: Int, type: WireType)? {
    guard !isAtEnd else { return nil }
    let start = position
    let key = try varint()
    let number = key >> 3
    guard number >= 1, number <= 536_870_911 else {
      throw ProtobufError("field number \(number) is out of range", at: start)
    }
    guard let type = WireType(rawValue: UInt8(key & 7)) else {
      throw ProtobufError("field \(number) has the unsupported wire type \(key & 7)", at: start)
    }
    return (Int(number), type)
  }

  public mutating func varint() throws(ProtobufError) -> UInt64 {
    let start = position
    var value: UInt64 = 0
    for shift in stride(from: 0, to: 70, by: 7) {
      guard position < end else { throw ProtobufError("a varint is cut off", at: start) }
      let byte = bytes[position]
      position += 1
      guard shift < 63 || byte <= 1 else {
        throw ProtobufError("a varint is longer than 64 bits", at: start)
      }
      value |= UInt64(byte & 0x7f) << UInt64(shift)
      if byte < 0x80 { return value }
    }
    throw ProtobufError("a varint is longer than 10 bytes", at: start)
  }

  public mutating func fixed32() throws(ProtobufError) -> UInt32 {
    UInt32(truncatingIfNeeded: try littleEndian(count: 4))
  }

  public mutating func fixed64() throws(ProtobufError) -> UInt64 {
    try littleEndian(count: 8)
  }

  /// A length-delimited value as a reader over its bytes (a nested message or a packed run).
  public mutating func lengthDelimited() throws(ProtobufError) -> ProtobufReader {
    let start = position
    let length = try varint()
    guard length <= UInt64(end - position) else {
      throw ProtobufError(
        "a length of \(length) bytes runs past the end (\(end - position) bytes remain)", at: start)
    }
    let sub = ProtobufReader(bytes, from: position, to: position + Int(length))
    position += Int(length)
    return sub
  }

  /// The rest of this reader's bytes (the content of a `bytes` field).
  public mutating func remainingBytes() -> ArraySlice<UInt8> {
    defer { position = end }
    return bytes[position..<end]
  }

  public mutating func bytesValue() throws(ProtobufError) -> ArraySlice<UInt8> {
    var sub = try lengthDelimited()
    return sub.remainingBytes()
  }

  public mutating func string() throws(ProtobufError) -> String {
    let start = position
    let content = try bytesValue()
    guard let text = String(validating: content, as: UTF8.self) else {
      throw ProtobufError("a string is not valid UTF-8", at: start)
    }
    return text
  }

  /// Skips a field's value by its wire type (an unknown field).
  public mutating func skip(_ type: WireType) throws(ProtobufError) {
    switch type {
    case .varint: _ = try varint()
    case .fixed32: _ = try fixed32()
    case .fixed64: _ = try fixed64()
    case .lengthDelimited: _ = try lengthDelimited()
    }
  }

  /// The values of a repeated integer field, packed (one length-delimited run) or not (one
  /// varint), appended to `values`.
  public mutating func repeatedVarints(_ type: WireType, into values: inout [Int64])
    throws(ProtobufError)
  {
    if type == .varint {
      values.append(Int64(bitPattern: try varint()))
      return
    }
    var run = try packed(type, expected: .varint)
    while !run.isAtEnd { values.append(Int64(bitPattern: try run.varint())) }
  }

  /// The values of a repeated float field, packed or not.
  public mutating func repeatedFloats(_ type: WireType, into values: inout [Float])
    throws(ProtobufError)
  {
    if type == .fixed32 {
      values.append(Float(bitPattern: try fixed32()))
      return
    }
    var run = try packed(type, expected: .fixed32)
    while !run.isAtEnd { values.append(Float(bitPattern: try run.fixed32())) }
  }

  /// The values of a repeated double field, packed or not.
  public mutating func repeatedDoubles(_ type: WireType, into values: inout [Double])
    throws(ProtobufError)
  {
    if type == .fixed64 {
      values.append(Double(bitPattern: try fixed64()))
      return
    }
    var run = try packed(type, expected: .fixed64)
    while !run.isAtEnd { values.append(Double(bitPattern: try run.fixed64())) }
  }

  /// Throws unless a field of wire type `actual` can hold a value of wire type `expected`.
  public func expect(_ actual: WireType, _ expected: WireType, field: Int, of message: String)
    throws(ProtobufError)
  {
    guard actual == expected else {
      throw ProtobufError(
        "field \(field) of \(message) has wire type \(actual), expected \(expected)", at: position)
    }
  }

  private mutating func packed(_ type: WireType, expected: WireType) throws(ProtobufError)
    -> ProtobufReader
  {
    guard type == .lengthDelimited else {
      throw ProtobufError(
        "a repeated \(expected) field has wire type \(type)", at: position)
    }
    return try lengthDelimited()
  }

  private mutating func littleEndian(count: Int) throws(ProtobufError) -> UInt64 {
    guard end - position >= count else {
      throw ProtobufError("a \(count * 8)-bit value is cut off", at: position)
    }
    var value: UInt64 = 0
    for i in 0..<count { value |= UInt64(bytes[position + i]) << UInt64(8 * i) }
    position += count
    return value
  }
}
