/// The element types of the formats' arrays, with their sizes and how one element becomes a
/// Double. Shared by safetensors (`F32`) and NumPy (`<f4`), which name them differently.
public enum ElementType: String, Sendable, CaseIterable {
  case f64, f32, f16, bf16, i64, i32, i16, i8, u64, u32, u16, u8, bool

  public var size: Int {
    switch self {
    case .f64, .i64, .u64: 8
    case .f32, .i32, .u32: 4
    case .f16, .bf16, .i16, .u16: 2
    case .i8, .u8, .bool: 1
    }
  }

  /// Converts `count` elements starting at `offset` into `out` (from `into` on). `bigEndian`
  /// says how the bytes are ordered. Loads are unaligned: a header's length fixes where data
  /// starts.
  public func convert(
    _ bytes: UnsafeRawBufferPointer, offset: Int, count: Int, bigEndian: Bool,
    into out: UnsafeMutableBufferPointer<Double>, at start: Int
  ) {
    let base = bytes.baseAddress! + offset
    func load<T: FixedWidthInteger>(_ i: Int, _: T.Type) -> T {
      let raw = base.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self)
      return bigEndian ? T(bigEndian: raw) : T(littleEndian: raw)
    }
    switch self {
    case .f64:
      for i in 0..<count { out[start + i] = Double(bitPattern: load(i, UInt64.self)) }
    case .f32:
      for i in 0..<count { out[start + i] = Double(Float(bitPattern: load(i, UInt32.self))) }
    case .f16:
      for i in 0..<count { out[start + i] = Self.half(load(i, UInt16.self)) }
    case .bf16:
      for i in 0..<count {
        out[start + i] = Double(Float(bitPattern: UInt32(load(i, UInt16.self)) << 16))
      }
    case .i64:
      for i in 0..<count { out[start + i] = Double(Int64(bitPattern: load(i, UInt64.self))) }
    case .i32:
      for i in 0..<count { out[start + i] = Double(Int32(bitPattern: load(i, UInt32.self))) }
    case .i16:
      for i in 0..<count { out[start + i] = Double(Int16(bitPattern: load(i, UInt16.self))) }
    case .i8: for i in 0..<count { out[start + i] = Double(Int8(bitPattern: load(i, UInt8.self))) }
    case .u64: for i in 0..<count { out[start + i] = Double(load(i, UInt64.self)) }
    case .u32: for i in 0..<count { out[start + i] = Double(load(i, UInt32.self)) }
    case .u16: for i in 0..<count { out[start + i] = Double(load(i, UInt16.self)) }
    case .u8: for i in 0..<count { out[start + i] = Double(load(i, UInt8.self)) }
    case .bool: for i in 0..<count { out[start + i] = load(i, UInt8.self) == 0 ? 0 : 1 }
    }
  }

  /// IEEE 754 half precision, subnormals, infinities and NaN included.
  static func half(_ bits: UInt16) -> Double {
    let sign: Double = bits & 0x8000 == 0 ? 1 : -1
    let exponent = Int(bits >> 10 & 0x1F)
    let fraction = Double(bits & 0x3FF)
    switch exponent {
    case 0: return sign * fraction * 0x1p-24
    case 31: return fraction == 0 ? sign * .infinity : .nan
    default:
      return sign * (1 + fraction / 1024)
        * Double(sign: .plus, exponent: exponent - 15, significand: 1)
    }
  }
}
