/// The protobuf wire format, written: each field is a key (field number << 3 | wire type) as a
/// varint, then its value. ffc writes only what ONNX needs: varints (ints, enums, bools),
/// length-delimited bytes (strings, nested messages, packed repeated numbers) and fixed32 floats.
/// A nested message is written into its own writer first, so its length is known.
public struct ProtobufWriter: Sendable {
  public private(set) var bytes: [UInt8] = []

  public init() {}

  public mutating func varint(_ field: Int, _ value: Int64) {
    key(field, .varint)
    appendVarint(UInt64(bitPattern: value))
  }

  /// A field worth writing only when it is not its default (proto3 leaves zeros out).
  public mutating func varintIfNonzero(_ field: Int, _ value: Int64) {
    if value != 0 { varint(field, value) }
  }

  public mutating func string(_ field: Int, _ value: String) {
    bytes(field, Array(value.utf8))
  }

  public mutating func stringIfNonempty(_ field: Int, _ value: String) {
    if !value.isEmpty { string(field, value) }
  }

  public mutating func bytes(_ field: Int, _ value: [UInt8]) {
    key(field, .lengthDelimited)
    appendVarint(UInt64(value.count))
    bytes.append(contentsOf: value)
  }

  public mutating func message(_ field: Int, _ value: ProtobufWriter) {
    bytes(field, value.bytes)
  }

  public mutating func fixed32(_ field: Int, _ value: UInt32) {
    key(field, .fixed32)
    appendLittleEndian(UInt64(value), count: 4)
  }

  public mutating func fixed64(_ field: Int, _ value: UInt64) {
    key(field, .fixed64)
    appendLittleEndian(value, count: 8)
  }

  public mutating func float(_ field: Int, _ value: Float) {
    fixed32(field, value.bitPattern)
  }

  /// A packed repeated integer field: one length-delimited run of varints.
  public mutating func packedVarints(_ field: Int, _ values: [Int64]) {
    guard !values.isEmpty else { return }
    var run = ProtobufWriter()
    for value in values { run.appendVarint(UInt64(bitPattern: value)) }
    bytes(field, run.bytes)
  }

  /// A packed repeated float field: one length-delimited run of little-endian fixed32s.
  public mutating func packedFloats(_ field: Int, _ values: [Float]) {
    guard !values.isEmpty else { return }
    var run = ProtobufWriter()
    for value in values { run.appendLittleEndian(UInt64(value.bitPattern), count: 4) }
    bytes(field, run.bytes)
  }

  private mutating func key(_ field: Int, _ type: WireType) {
    appendVarint(UInt64(field) << 3 | UInt64(type.rawValue))
  }

  mutating func appendVarint(_ value: UInt64) {
    var rest = value
    while rest >= 0x80 {
      bytes.append(UInt8(rest & 0x7f) | 0x80)
      rest >>= 7
    }
    bytes.append(UInt8(rest))
  }

  mutating func appendLittleEndian(_ value: UInt64, count: Int) {
    for i in 0..<count { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * i))) }
  }
}

/// How a field's value is laid out. Groups (3, 4) are long deprecated and ONNX has none: a reader
/// rejects them as malformed.
public enum WireType: UInt8, Sendable, CustomStringConvertible {
  case varint = 0
  case fixed64 = 1
  case lengthDelimited = 2
  case fixed32 = 5

  public var description: String {
    switch self {
    case .varint: "varint"
    case .fixed64: "fixed64"
    case .lengthDelimited: "length-delimited"
    case .fixed32: "fixed32"
    }
  }
}
