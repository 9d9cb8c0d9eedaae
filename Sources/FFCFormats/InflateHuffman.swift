/// A canonical Huffman code (RFC 1951 3.2.2) as a lookup table, the way fast inflaters decode: the
/// next `rootBits` bits of the stream index a primary table; a code no longer than that is found
/// in one look-up (its entry repeated for every value of the bits after it), and a longer one
/// finds a pointer to a sub-table indexed by the bits after the first `rootBits`. Entries are
/// packed in a `UInt32`:
///
/// - bits 0–3: how many bits the entry's code takes at its level (for a pointer, `rootBits`);
/// - bits 4–7: extra bits after the code (a length's or distance's), or a sub-table's index bits;
/// - bits 8–15: what the entry is (`literal`, `length`, `endOfBlock`, `subTable`, or none of
///   them: no code of the stream's maps there, an error when met);
/// - bits 16–31: the literal byte, the base length or distance, a code-length symbol, or where the
///   sub-table starts.
///
/// A code must be complete, as zlib requires: over-subscribed lengths are refused, and so are
/// incomplete ones except the one-code case RFC 1951 allows (a single distance code of one bit)
/// and a distance code with no codes at all (a block of literals only).
struct HuffmanTable {
  static let literal: UInt32 = 1 << 8
  static let length: UInt32 = 2 << 8
  static let endOfBlock: UInt32 = 4 << 8
  static let subTable: UInt32 = 8 << 8
  static let distance: UInt32 = 16 << 8
  static let symbol: UInt32 = 32 << 8

  /// The most entries a table of each kind can need: a primary table and every sub-table.
  /// 286 literal/length codes over a 10-bit primary table need at most 1334 entries, 30
  /// distance codes over 8 bits at most 402 (zlib's `enough` counts them); these leave room.
  static let literalCapacity = 2048
  static let distanceCapacity = 1024

  enum Kind {
    /// Literal/length codes 0...287: literals, end of block, lengths (codes 286 and 287 are
    /// never valid).
    case literalLength
    /// Distance codes 0...31 (30 and 31 are never valid).
    case distance
    /// The code-length alphabet 0...18 of a dynamic block's header.
    case codeLength
  }

  /// Fills `table` (of at least `literalCapacity` or `distanceCapacity` entries) for the code
  /// `lengths` gives, with a primary table of `rootBits` bits; false when the lengths do not make
  /// a complete code.
  static func build(
    _ lengths: UnsafeBufferPointer<UInt8>, kind: Kind, rootBits: Int,
    into table: UnsafeMutablePointer<UInt32>, capacity: Int
  ) throws(Inflate.Failure) {
    var counts = [Int](repeating: 0, count: 16)
    for length in lengths { counts[Int(length)] += 1 }
    counts[0] = 0
    var left = 1
    for length in 1...15 {
      left = left * 2 - counts[length]
      guard left >= 0 else { throw Inflate.Failure(problem: "a Huffman code is over-subscribed") }
    }
    let used = lengths.count - lengths.filter { $0 == 0 }.count
    let rootSize = 1 << rootBits
    // Nothing maps to an unused entry of an incomplete code.
    table.update(repeating: 0, count: rootSize)
    if left > 0 {
      let allowed = kind == .distance && (used == 0 || (used == 1 && counts[1] == 1))
      guard allowed else {
        throw Inflate.Failure(problem: "a Huffman code is incomplete")
      }
      if used == 0 { return }
    }
    // Symbols in canonical order: by length, then by symbol.
    var offsets = [Int](repeating: 0, count: 17)
    for length in 1...15 { offsets[length + 1] = offsets[length] + counts[length] }
    var sorted = [Int](repeating: 0, count: used)
    for (symbol, length) in lengths.enumerated() where length != 0 {
      sorted[offsets[Int(length)]] = symbol
      offsets[Int(length)] += 1
    }
    var remaining = counts
    let longest = (1...15).last { counts[$0] > 0 } ?? 0
    var code = 0  // the canonical code, most significant bit first
    var codeLength = 0
    var next = rootSize  // where the next sub-table goes
    var subStart = 0
    var subBits = 0
    var subPrefix = -1  // the primary index the current sub-table hangs from
    let rootMask = rootSize - 1
    for symbol in sorted {
      let length = Int(lengths[symbol])
      if length > codeLength {
        code <<= length - codeLength
        codeLength = length
      }
      let reversed = Self.reverse(code, length)
      let payload = entry(symbol, kind)
      if length <= rootBits {
        let value = payload | UInt32(length)
        var index = reversed
        while index < rootSize {
          table[index] = value
          index += 1 << length
        }
      } else {
        let prefix = reversed & rootMask
        if prefix != subPrefix {
          // A new sub-table: as many index bits as the codes with this prefix need, found from
          // the lengths not placed yet (they are all this code's or longer, in order).
          var bits = length - rootBits
          var room = 1 << bits
          var longer = length
          while longer < longest {
            room -= remaining[longer]
            if room <= 0 { break }
            longer += 1
            bits += 1
            room <<= 1
          }
          guard next + (1 << bits) <= capacity else {
            throw Inflate.Failure(problem: "a Huffman code needs too large a table")
          }
          subStart = next
          subBits = bits
          subPrefix = prefix
          next += 1 << bits
          (table + subStart).update(repeating: 0, count: 1 << bits)
          table[prefix] =
            Self.subTable | UInt32(subStart) << 16 | UInt32(bits) << 4 | UInt32(rootBits)
        }
        let value = payload | UInt32(length - rootBits)
        var index = reversed >> rootBits
        while index < 1 << subBits {
          table[subStart + index] = value
          index += 1 << (length - rootBits)
        }
      }
      remaining[length] -= 1
      code += 1
    }
  }

  /// The entry of `symbol` without its code length.
  private static func entry(_ symbol: Int, _ kind: Kind) -> UInt32 {
    switch kind {
    case .codeLength:
      return Self.symbol | UInt32(symbol) << 16
    case .literalLength:
      if symbol < 256 { return Self.literal | UInt32(symbol) << 16 }
      if symbol == 256 { return Self.endOfBlock }
      let index = symbol - 257
      guard index < Inflate.lengthBase.count else { return 0 }  // 286, 287: invalid when met
      return Self.length | UInt32(Inflate.lengthBase[index]) << 16
        | UInt32(Inflate.lengthExtra[index]) << 4
    case .distance:
      guard symbol < Inflate.distanceBase.count else { return 0 }  // 30, 31: invalid when met
      return Self.distance | UInt32(Inflate.distanceBase[symbol]) << 16
        | UInt32(Inflate.distanceExtra[symbol]) << 4
    }
  }

  /// The low `count` bits of `code` in reverse order: deflate sends a Huffman code's most
  /// significant bit first, into a stream read least significant bit first.
  static func reverse(_ code: Int, _ count: Int) -> Int {
    var value = 0
    var code = code
    for _ in 0..<count {
      value = value << 1 | code & 1
      code >>= 1
    }
    return value
  }
}

/// The zip format's CRC-32 (polynomial 0xEDB88320), to check an inflated member, computed eight
/// bytes at a step with eight tables ("slicing by 8").
enum CRC32 {
  /// `tables[k * 256 + b]`: the CRC of byte `b` followed by `k` zero bytes.
  private static let tables: [UInt32] = {
    var tables = [UInt32](repeating: 0, count: 8 * 256)
    for n in 0..<256 {
      var c = UInt32(n)
      for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
      tables[n] = c
    }
    for k in 1..<8 {
      for n in 0..<256 {
        let previous = tables[(k - 1) * 256 + n]
        tables[k * 256 + n] = tables[Int(previous & 0xFF)] ^ (previous >> 8)
      }
    }
    return tables
  }()

  static func checksum(_ bytes: [UInt8]) -> UInt32 {
    var running = Running()
    bytes.withUnsafeBytes { running.update($0) }
    return running.value
  }

  /// A CRC-32 over bytes given a piece at a time.
  struct Running {
    private var crc: UInt32 = 0xFFFF_FFFF

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
      guard let base = bytes.baseAddress else { return }
      var crc = self.crc
      var at = 0
      let count = bytes.count
      CRC32.tables.withUnsafeBufferPointer { tables in
        let t = tables.baseAddress!
        while at &+ 8 <= count {
          let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: at, as: UInt64.self))
          let low = UInt32(truncatingIfNeeded: word) ^ crc
          let high = UInt32(truncatingIfNeeded: word &>> 32)
          crc =
            t[7 * 256 + Int(low & 0xFF)] ^ t[6 * 256 + Int(low &>> 8 & 0xFF)]
            ^ t[5 * 256 + Int(low &>> 16 & 0xFF)] ^ t[4 * 256 + Int(low &>> 24)]
            ^ t[3 * 256 + Int(high & 0xFF)] ^ t[2 * 256 + Int(high &>> 8 & 0xFF)]
            ^ t[256 + Int(high &>> 16 & 0xFF)] ^ t[Int(high &>> 24)]
          at &+= 8
        }
        while at < count {
          crc =
            t[Int((crc ^ UInt32(base.load(fromByteOffset: at, as: UInt8.self))) & 0xFF)]
            ^ (crc &>> 8)
          at &+= 1
        }
      }
      self.crc = crc
    }

    var value: UInt32 { crc ^ 0xFFFF_FFFF }
  }
}
