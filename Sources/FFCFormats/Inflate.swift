/// Raw deflate streams (RFC 1951), as zip members compressed with method 8 hold them (what
/// `np.savez_compressed` writes): stored, fixed-Huffman and dynamic-Huffman blocks. Every read is
/// bounds-checked, the output may not exceed the size the archive states (a size lie or a
/// decompression bomb is an error, not an allocation), and a back-reference may not reach before
/// the start of the output. Decoding is a loop over blocks and symbols: nothing recurses.
enum Inflate {
  struct Failure: Error {
    let problem: String
  }

  /// The stream `input` inflated to exactly `expectedSize` bytes.
  static func inflate(_ input: UnsafeRawBufferPointer, expectedSize: Int) throws(Failure)
    -> [UInt8]
  {
    var reader = BitReader(input)
    var out: [UInt8] = []
    out.reserveCapacity(expectedSize)
    var isFinal = false
    while !isFinal {
      isFinal = try reader.bits(1) == 1
      switch try reader.bits(2) {
      case 0: try stored(&reader, &out, expectedSize)
      case 1: try huffman(&reader, &out, expectedSize, Tables.fixed)
      case 2: try huffman(&reader, &out, expectedSize, try dynamicTables(&reader))
      default: throw Failure(problem: "a deflate block has the reserved type 3")
      }
    }
    guard out.count == expectedSize else {
      throw Failure(
        problem: "it inflates to \(out.count) bytes, but the archive states \(expectedSize)")
    }
    return out
  }

  private static func stored(_ reader: inout BitReader, _ out: inout [UInt8], _ limit: Int)
    throws(Failure)
  {
    reader.alignToByte()
    let length = try reader.bits(16)
    let complement = try reader.bits(16)
    guard length ^ 0xFFFF == complement else {
      throw Failure(problem: "a stored deflate block's length check fails")
    }
    guard out.count + length <= limit else { throw tooLong(limit) }
    for _ in 0..<length { out.append(UInt8(try reader.bits(8))) }
  }

  private static func tooLong(_ limit: Int) -> Failure {
    Failure(problem: "it inflates to more than the \(limit) bytes the archive states")
  }

  private static func huffman(
    _ reader: inout BitReader, _ out: inout [UInt8], _ limit: Int, _ tables: Tables
  ) throws(Failure) {
    while true {
      let symbol = try tables.literals.decode(&reader)
      if symbol < 256 {
        guard out.count < limit else { throw tooLong(limit) }
        out.append(UInt8(symbol))
        continue
      }
      if symbol == 256 { return }
      let index = symbol - 257
      guard index < lengthBase.count else {
        throw Failure(problem: "a deflate block uses the invalid length code \(symbol)")
      }
      let length = lengthBase[index] + (try reader.bits(lengthExtra[index]))
      let code = try tables.distances.decode(&reader)
      guard code < distanceBase.count else {
        throw Failure(problem: "a deflate block uses the invalid distance code \(code)")
      }
      let distance = distanceBase[code] + (try reader.bits(distanceExtra[code]))
      guard distance <= out.count else {
        throw Failure(
          problem: "a back-reference reaches \(distance) bytes back, before the start of the data")
      }
      guard out.count + length <= limit else { throw tooLong(limit) }
      let start = out.count - distance
      for offset in 0..<length { out.append(out[start + offset]) }
    }
  }

  /// The code lengths of a dynamic block, themselves Huffman-coded (RFC 1951 3.2.7).
  private static func dynamicTables(_ reader: inout BitReader) throws(Failure) -> Tables {
    let literalCount = try reader.bits(5) + 257
    let distanceCount = try reader.bits(5) + 1
    let codeLengthCount = try reader.bits(4) + 4
    guard literalCount <= 286, distanceCount <= 30 else {
      throw Failure(problem: "a dynamic deflate block declares too many codes")
    }
    let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
    var codeLengthLengths = [Int](repeating: 0, count: 19)
    for i in 0..<codeLengthCount { codeLengthLengths[order[i]] = try reader.bits(3) }
    let codeLengths = try Huffman(codeLengthLengths)
    var lengths: [Int] = []
    let total = literalCount + distanceCount
    while lengths.count < total {
      let symbol = try codeLengths.decode(&reader)
      var repeated = 0
      var count = 1
      switch symbol {
      case 0...15: repeated = symbol
      case 16:
        guard let previous = lengths.last else {
          throw Failure(problem: "a dynamic deflate block repeats a length before any")
        }
        (repeated, count) = (previous, 3 + (try reader.bits(2)))
      case 17: count = 3 + (try reader.bits(3))
      default: count = 11 + (try reader.bits(7))
      }
      guard lengths.count + count <= total else {
        throw Failure(problem: "a dynamic deflate block's code lengths overrun")
      }
      lengths += [Int](repeating: repeated, count: count)
    }
    guard lengths[256] > 0 else {
      throw Failure(problem: "a dynamic deflate block has no end-of-block code")
    }
    return Tables(
      literals: try Huffman(Array(lengths[..<literalCount])),
      distances: try Huffman(Array(lengths[literalCount...])))
  }

  private static let lengthBase = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
  ]
  private static let lengthExtra = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
  ]
  private static let distanceBase = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
  ]
  private static let distanceExtra = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
  ]

  struct Tables {
    let literals: Huffman
    let distances: Huffman

    static let fixed = Tables(
      literals: try! Huffman(
        [Int](repeating: 8, count: 144) + [Int](repeating: 9, count: 112)
          + [Int](repeating: 7, count: 24) + [Int](repeating: 8, count: 8)),
      distances: try! Huffman([Int](repeating: 5, count: 30)))
  }
}
