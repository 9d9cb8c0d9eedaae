/// Reads a deflate stream's bits, least significant first; reading past the end is an error.
struct BitReader {
  private let input: UnsafeRawBufferPointer
  private var position = 0
  private var buffer = 0
  private var held = 0

  init(_ input: UnsafeRawBufferPointer) { self.input = input }

  /// Input bytes read so far.
  var consumed: Int { position }

  mutating func bits(_ count: Int) throws(Inflate.Failure) -> Int {
    while held < count {
      guard position < input.count else {
        throw Inflate.Failure(problem: "the deflate stream is truncated")
      }
      buffer |= Int(input[position]) << held
      position += 1
      held += 8
    }
    let value = buffer & ((1 << count) - 1)
    buffer >>= count
    held -= count
    return value
  }

  /// Stored blocks start on a byte boundary.
  mutating func alignToByte() {
    buffer = 0
    held = 0
  }
}

/// A canonical Huffman code from its code lengths (RFC 1951 3.2.2), decoded a bit at a time by
/// counting codes per length (as zlib's `puff` does): small, and every step bounded by 15 bits.
struct Huffman {
  /// How many codes have each length 0...15.
  private let counts: [Int]
  /// Symbols ordered by code.
  private let symbols: [Int]

  init(_ lengths: [Int]) throws(Inflate.Failure) {
    var counts = [Int](repeating: 0, count: 16)
    for length in lengths { counts[length] += 1 }
    // A code may not promise more codes of a length than there is room for.
    var left = 1
    for length in 1...15 {
      left = left * 2 - counts[length]
      guard left >= 0 else { throw Inflate.Failure(problem: "a Huffman code is over-subscribed") }
    }
    var offsets = [Int](repeating: 0, count: 16)
    for length in 1..<15 { offsets[length + 1] = offsets[length] + counts[length] }
    var symbols = [Int](repeating: 0, count: lengths.count)
    for (symbol, length) in lengths.enumerated() where length != 0 {
      symbols[offsets[length]] = symbol
      offsets[length] += 1
    }
    self.counts = counts
    self.symbols = symbols
  }

  func decode(_ reader: inout BitReader) throws(Inflate.Failure) -> Int {
    var code = 0
    var first = 0
    var index = 0
    for length in 1...15 {
      code |= try reader.bits(1)
      let count = counts[length]
      if code - first < count { return symbols[index + code - first] }
      index += count
      first = (first + count) << 1
      code <<= 1
    }
    throw Inflate.Failure(problem: "the deflate stream holds an invalid Huffman code")
  }
}

/// The zip format's CRC-32 (polynomial 0xEDB88320), to check an inflated member.
enum CRC32 {
  private static let table: [UInt32] = (0..<256).map { n in
    var c = UInt32(n)
    for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    return c
  }

  static func checksum(_ bytes: [UInt8]) -> UInt32 {
    var running = Running()
    bytes.withUnsafeBytes { running.update($0) }
    return running.value
  }

  /// A CRC-32 over bytes given a piece at a time.
  struct Running {
    private var crc: UInt32 = 0xFFFF_FFFF

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
      for byte in bytes { crc = CRC32.table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
    }

    var value: UInt32 { crc ^ 0xFFFF_FFFF }
  }
}
