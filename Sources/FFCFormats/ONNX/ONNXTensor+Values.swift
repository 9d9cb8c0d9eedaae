/// A tensor's values, checked against its dimensions and element type.
extension ONNXTensor {
  /// The number of elements its dimensions give; nil for a negative or overflowing size.
  public var elementCount: Int? {
    var count = 1
    for dim in dims {
      guard dim >= 0 else { return nil }
      let (product, overflow) = count.multipliedReportingOverflow(by: dim)
      guard !overflow else { return nil }
      count = product
    }
    return count
  }

  /// The values as f32, from a float, double, int32 or int64 tensor.
  public func floatValues() throws(ONNXFormatError) -> [Float] {
    guard let count = elementCount else {
      throw ONNXFormatError("tensor '\(name)' has the impossible shape \(dims)")
    }
    let values: [Float]
    switch (storage, ONNXDataType(rawValue: dataType)) {
    case (.raw(let bytes), .float?):
      values = try Self.words(bytes, 4, count, name).map {
        Float(bitPattern: UInt32(truncatingIfNeeded: $0))
      }
    case (.raw(let bytes), .double?):
      values = try Self.words(bytes, 8, count, name).map {
        Float(Double(bitPattern: $0))
      }
    case (.raw(let bytes), .int64?):
      values = try Self.words(bytes, 8, count, name).map {
        Float(Int64(bitPattern: $0))
      }
    case (.raw(let bytes), .int32?):
      values = try Self.words(bytes, 4, count, name).map {
        Float(Int32(truncatingIfNeeded: $0))
      }
    case (.floats(let x), .float?): values = x
    case (.doubles(let x), .double?): values = x.map { Float($0) }
    case (.int64s(let x), .int64?), (.int32s(let x), .int32?): values = x.map { Float($0) }
    case (.int32s(let x), .float?) where x.isEmpty: values = []
    default:
      throw ONNXFormatError(
        "tensor '\(name)' has data type \(dataType), which ffc does not read (f32, f64, int32, int64)"
      )
    }
    guard values.count == count else {
      throw ONNXFormatError(
        "tensor '\(name)' has \(values.count) values for its shape \(dims) of \(count)")
    }
    return values
  }

  /// The values as whole numbers (shapes, axes).
  public func integerValues() throws(ONNXFormatError) -> [Int] {
    switch storage {
    case .int64s(let x), .int32s(let x): return x.map { Int($0) }
    default: return try floatValues().map { Int($0) }
    }
  }

  /// Little-endian words of `size` bytes, exactly `count` of them.
  private static func words(_ bytes: [UInt8], _ size: Int, _ count: Int, _ name: String)
    throws(ONNXFormatError) -> [UInt64]
  {
    let (expected, overflow) = count.multipliedReportingOverflow(by: size)
    guard !overflow, bytes.count == expected else {
      throw ONNXFormatError(
        "tensor '\(name)' has \(bytes.count) bytes of data for \(count) values of \(size) bytes")
    }
    return stride(from: 0, to: bytes.count, by: size).map { start in
      var word: UInt64 = 0
      for i in 0..<size { word |= UInt64(bytes[start + i]) << UInt64(8 * i) }
      return word
    }
  }
}

/// A model ffc cannot read or import: what is wrong (the caller names the file).
public struct ONNXFormatError: Error, Sendable, CustomStringConvertible {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}
