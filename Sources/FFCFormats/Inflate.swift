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
    var inflater = Inflater(input, expectedSize: expectedSize)
    var out: [UInt8] = []
    out.reserveCapacity(expectedSize)
    let piece = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
    defer { piece.deallocate() }
    while true {
      let n = try inflater.read(into: piece)
      if n == 0 { return out }
      out.append(contentsOf: piece[..<n])
    }
  }

  static func tooLong(_ limit: Int) -> Failure {
    Failure(problem: "it inflates to more than the \(limit) bytes the archive states")
  }

  /// The code lengths of a dynamic block, themselves Huffman-coded (RFC 1951 3.2.7).
  static func dynamicTables(_ reader: inout BitReader) throws(Failure) -> Tables {
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

  static let lengthBase = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
  ]
  static let lengthExtra = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
  ]
  static let distanceBase = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
  ]
  static let distanceExtra = [
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

/// A deflate stream inflated a piece at a time into the caller's buffer, keeping only the last
/// 32 KiB it produced (the farthest a back-reference reaches): memory is a constant whatever the
/// stream's size. The checks are `Inflate`'s: the output may not exceed `expectedSize`, must reach
/// it exactly, and a back-reference may not reach before the start; the CRC-32 of everything
/// produced is kept for the caller to compare.
struct Inflater {
  private var reader: BitReader
  let expectedSize: Int
  /// Bytes produced so far.
  private(set) var produced = 0
  private var crc = CRC32.Running()
  private var window = [UInt8](repeating: 0, count: Self.windowSize)
  private static let windowSize = 1 << 15
  private var state = State.blockStart
  private var isFinal = false
  private var tables: Inflate.Tables?
  /// A back-reference not yet copied whole (the caller's buffer filled up first).
  private var copyLength = 0
  private var copyDistance = 0

  private enum State {
    case blockStart
    case stored(remaining: Int)
    case huffman
    case done
  }

  init(_ input: UnsafeRawBufferPointer, expectedSize: Int) {
    reader = BitReader(input)
    self.expectedSize = expectedSize
  }

  /// Input bytes read so far.
  var consumed: Int { reader.consumed }

  /// The CRC-32 of the bytes produced so far.
  var checksum: UInt32 { crc.value }

  /// Fills `out` with the next bytes, as many as fit; fewer only at the end of the stream, and 0
  /// once it is over (its size checked).
  mutating func read(into out: UnsafeMutableRawBufferPointer) throws(Inflate.Failure) -> Int {
    let limit = expectedSize
    let mask = Self.windowSize - 1
    var n = 0
    defer { crc.update(UnsafeRawBufferPointer(rebasing: out[..<n])) }
    while n < out.count {
      if copyLength > 0 {
        let byte = window[(produced - copyDistance) & mask]
        out[n] = byte
        window[produced & mask] = byte
        n += 1
        produced += 1
        copyLength -= 1
        continue
      }
      switch state {
      case .done:
        return n
      case .blockStart:
        if isFinal {
          guard produced == expectedSize else {
            throw Inflate.Failure(
              problem:
                "it inflates to \(produced) bytes, but the archive states \(expectedSize)")
          }
          state = .done
          continue
        }
        isFinal = try reader.bits(1) == 1
        switch try reader.bits(2) {
        case 0:
          reader.alignToByte()
          let length = try reader.bits(16)
          let complement = try reader.bits(16)
          guard length ^ 0xFFFF == complement else {
            throw Inflate.Failure(problem: "a stored deflate block's length check fails")
          }
          guard produced + length <= limit else { throw Inflate.tooLong(limit) }
          state = .stored(remaining: length)
        case 1:
          tables = Inflate.Tables.fixed
          state = .huffman
        case 2:
          tables = try Inflate.dynamicTables(&reader)
          state = .huffman
        default:
          throw Inflate.Failure(problem: "a deflate block has the reserved type 3")
        }
      case .stored(let remaining):
        let take = Swift.min(remaining, out.count - n)
        for _ in 0..<take {
          let byte = UInt8(try reader.bits(8))
          out[n] = byte
          window[produced & mask] = byte
          n += 1
          produced += 1
        }
        state = remaining == take ? .blockStart : .stored(remaining: remaining - take)
      case .huffman:
        guard let tables else { throw Inflate.Failure(problem: "no Huffman tables") }
        while n < out.count {
          let symbol = try tables.literals.decode(&reader)
          if symbol < 256 {
            guard produced < limit else { throw Inflate.tooLong(limit) }
            out[n] = UInt8(symbol)
            window[produced & mask] = UInt8(symbol)
            n += 1
            produced += 1
            continue
          }
          if symbol == 256 {
            state = .blockStart
            break
          }
          let index = symbol - 257
          guard index < Inflate.lengthBase.count else {
            throw Inflate.Failure(problem: "a deflate block uses the invalid length code \(symbol)")
          }
          let length = Inflate.lengthBase[index] + (try reader.bits(Inflate.lengthExtra[index]))
          let code = try tables.distances.decode(&reader)
          guard code < Inflate.distanceBase.count else {
            throw Inflate.Failure(problem: "a deflate block uses the invalid distance code \(code)")
          }
          let distance = Inflate.distanceBase[code] + (try reader.bits(Inflate.distanceExtra[code]))
          guard distance <= produced else {
            throw Inflate.Failure(
              problem:
                "a back-reference reaches \(distance) bytes back, before the start of the data")
          }
          guard produced + length <= limit else { throw Inflate.tooLong(limit) }
          (copyLength, copyDistance) = (length, distance)
          break
        }
      }
    }
    return n
  }
}
