import FFCTensor
import Foundation

/// Writes tensors as a safetensors file: the header lists them in the order given, padded with
/// blanks to a multiple of 8 bytes so that the data is aligned, then their data in that order.
/// `stream` hands the bytes over in pieces of at most a megabyte, so a large model is never held
/// as one buffer; the caller writes them safely (temporary file, fsync, rename).
public enum SafeTensorsWriter {
  /// The element types ffc writes.
  public enum Precision: String, Sendable {
    case f32 = "F32"
    case f64 = "F64"

    var size: Int { self == .f32 ? 4 : 8 }
  }

  /// The `__metadata__` key of the weights' digest, which the saved program repeats in its
  /// `load(..., digest="...")` calls so that a program and a weights file from different saves
  /// are never read together.
  public static let digestKey = "digest"

  /// Bytes per piece handed to `stream`'s writer.
  static let piece = 1 << 20

  /// The whole file in memory (small files, tests).
  public static func encode(
    _ tensors: [(name: String, value: Tensor)], as precision: Precision,
    metadata: [(key: String, value: String)] = []
  ) -> Data {
    var data = Data()
    stream(tensors, as: precision, metadata: metadata) { bytes in
      data.append(bytes.bindMemory(to: UInt8.self))
      return true
    }
    return data
  }

  /// Hands the file's bytes to `write` in order, piece by piece; stops early (false) when
  /// `write` does.
  @discardableResult
  public static func stream(
    _ tensors: [(name: String, value: Tensor)], as precision: Precision,
    metadata: [(key: String, value: String)] = [],
    to write: (UnsafeRawBufferPointer) -> Bool
  ) -> Bool {
    stream(held(tensors), as: precision, metadata: metadata, to: write)
  }

  /// `stream` of values read chunk by chunk (a trained model's buffers, a mapped file), so the
  /// values are never copied whole.
  @discardableResult
  public static func stream(
    _ tensors: [(name: String, value: StoredTensor)], as precision: Precision,
    metadata: [(key: String, value: String)] = [],
    to write: (UnsafeRawBufferPointer) -> Bool
  ) -> Bool {
    var header = Array(headerText(tensors, precision, metadata).utf8)
    header += [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8)
    var length = UInt64(header.count).littleEndian
    guard withUnsafeBytes(of: &length, write), header.withUnsafeBytes(write) else { return false }
    return forEachPiece(tensors, precision, write)
  }

  /// A digest of the data as `stream` writes it (64-bit FNV-1a over the little-endian 8-byte
  /// words of the data, the last word zero-padded, and the byte count), as 16 hex digits.
  public static func digest(_ tensors: [(name: String, value: Tensor)], as precision: Precision)
    -> String
  {
    digest(held(tensors), as: precision)
  }

  /// `digest` of values read chunk by chunk.
  public static func digest(
    _ tensors: [(name: String, value: StoredTensor)], as precision: Precision
  ) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    var total = 0
    forEachPiece(tensors, precision) { bytes in
      let words = bytes.count / 8
      for i in 0..<words {
        hash =
          (hash ^ bytes.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))
          &* 0x100_0000_01b3
      }
      var tail: UInt64 = 0
      for i in (words * 8)..<bytes.count { tail |= UInt64(bytes[i]) << (8 * UInt64(i - words * 8)) }
      if bytes.count % 8 != 0 { hash = (hash ^ tail) &* 0x100_0000_01b3 }
      total += bytes.count
      return true
    }
    hash = (hash ^ UInt64(total)) &* 0x100_0000_01b3
    let hex = String(hash, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
  }

  /// Values in memory as stored tensors that share them.
  private static func held(_ tensors: [(name: String, value: Tensor)]) -> [(
    name: String, value: StoredTensor
  )] {
    tensors.map { ($0.name, StoredTensor($0.value, source: $0.name)) }
  }

  private static func headerText(
    _ tensors: [(name: String, value: StoredTensor)], _ precision: Precision,
    _ metadata: [(key: String, value: String)]
  ) -> String {
    var fields: [String] = []
    if !metadata.isEmpty {
      let pairs = metadata.map { "\(JSON.quoted($0.key)):\(JSON.quoted($0.value))" }
      fields.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
    }
    var offset = 0
    for (name, value) in tensors {
      let end = offset + value.count * precision.size
      let shape = value.shape.map(String.init).joined(separator: ",")
      fields.append(
        "\(JSON.quoted(name)):{\"dtype\":\"\(precision.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}"
      )
      offset = end
    }
    return "{" + fields.joined(separator: ",") + "}"
  }

  /// The data, converted a piece at a time into one reused buffer; every piece but the last is a
  /// whole megabyte (so the digest's words are the file's words).
  @discardableResult
  private static func forEachPiece(
    _ tensors: [(name: String, value: StoredTensor)], _ precision: Precision,
    _ write: (UnsafeRawBufferPointer) -> Bool
  ) -> Bool {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: piece, alignment: 16)
    defer { buffer.deallocate() }
    var used = 0
    struct Stopped: Error {}
    do throws(Stopped) {
      for (_, value) in tensors {
        try value.forEachChunk { (_, xs) throws(Stopped) in
          for x in xs {
            if used + precision.size > piece {
              guard write(UnsafeRawBufferPointer(rebasing: buffer[0..<used])) else {
                throw Stopped()
              }
              used = 0
            }
            if precision == .f32 {
              buffer.storeBytes(
                of: Float(x).bitPattern.littleEndian, toByteOffset: used, as: UInt32.self)
              used += 4
            } else {
              buffer.storeBytes(
                of: x.bitPattern.littleEndian, toByteOffset: used, as: UInt64.self)
              used += 8
            }
          }
        }
      }
    } catch {
      return false
    }
    return used == 0 || write(UnsafeRawBufferPointer(rebasing: buffer[0..<used]))
  }
}
