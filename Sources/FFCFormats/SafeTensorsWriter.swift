import FFCTensor
import Foundation

/// Writes tensors as a safetensors file's bytes: the header lists them in the order given, padded
/// with blanks to a multiple of 8 bytes so that the data is aligned, then their data in that
/// order. The caller writes the bytes safely (temporary file, fsync, rename).
public enum SafeTensorsWriter {
  /// The element types ffc writes.
  public enum Precision: String, Sendable {
    case f32 = "F32"
    case f64 = "F64"
  }

  public static func encode(
    _ tensors: [(name: String, value: Tensor)], as precision: Precision,
    metadata: [(key: String, value: String)] = []
  ) -> Data {
    let size = precision == .f32 ? 4 : 8
    var fields: [String] = []
    if !metadata.isEmpty {
      let pairs = metadata.map { "\(JSON.quoted($0.key)):\(JSON.quoted($0.value))" }
      fields.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
    }
    var offset = 0
    for (name, value) in tensors {
      let end = offset + value.count * size
      let shape = value.shape.map(String.init).joined(separator: ",")
      fields.append(
        "\(JSON.quoted(name)):{\"dtype\":\"\(precision.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}"
      )
      offset = end
    }
    var header = Array(("{" + fields.joined(separator: ",") + "}").utf8)
    header += [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8)
    var data = Data(count: 8 + header.count + offset)
    data.withUnsafeMutableBytes { raw in
      raw.storeBytes(of: UInt64(header.count).littleEndian, as: UInt64.self)
      header.withUnsafeBytes {
        raw.baseAddress!.advanced(by: 8).copyMemory(from: $0.baseAddress!, byteCount: header.count)
      }
      var at = 8 + header.count
      for (_, value) in tensors {
        value.scalars.withUnsafeBufferPointer { xs in
          if precision == .f32 {
            for x in xs {
              raw.storeBytes(
                of: Float(x).bitPattern.littleEndian, toByteOffset: at, as: UInt32.self)
              at += 4
            }
          } else {
            for x in xs {
              raw.storeBytes(of: x.bitPattern.littleEndian, toByteOffset: at, as: UInt64.self)
              at += 8
            }
          }
        }
      }
    }
    return data
  }
}
