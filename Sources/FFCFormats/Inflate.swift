/// Raw deflate streams (RFC 1951), as zip members compressed with method 8 hold them (what
/// `np.savez_compressed` writes): stored, fixed-Huffman and dynamic-Huffman blocks. Every read is
/// bounds-checked, the output may not exceed the size the archive states (a size lie or a
/// decompression bomb is an error, not an allocation), and a back-reference may not reach before
/// the start of the output. Decoding is a loop over blocks and symbols: nothing recurses.
public enum Inflate {
  /// A raw deflate stream inflated whole, for callers outside the module (the formats fuzz
  /// target): exactly `size` bytes whose CRC-32 is `crc`, or a `FormatError` naming `displayName`.
  public static func inflate(_ stream: [UInt8], size: Int, crc: UInt32, displayName: String)
    throws(FormatError) -> [UInt8]
  {
    let result = stream.withUnsafeBytes { bytes -> Result<[UInt8], Failure> in
      do throws(Failure) {
        return .success(try inflate(bytes, expectedSize: size, crc: crc))
      } catch {
        return .failure(error)
      }
    }
    switch result {
    case .success(let bytes): return bytes
    case .failure(let failure): throw FormatError(displayName, failure.problem)
    }
  }

  struct Failure: Error {
    let problem: String
  }

  /// The stream `input` inflated to exactly `expectedSize` bytes whose CRC-32 is `crc`.
  static func inflate(_ input: UnsafeRawBufferPointer, expectedSize: Int, crc: UInt32)
    throws(Failure) -> [UInt8]
  {
    let inflater = Inflater(input, expectedSize: expectedSize, crc: crc)
    var failure: Failure?
    let out = [UInt8](unsafeUninitializedCapacity: expectedSize) { buffer, initialized in
      do throws(Failure) {
        initialized = try inflater.read(into: UnsafeMutableRawBufferPointer(buffer))
        try inflater.finish()
      } catch {
        failure = error
      }
    }
    if let failure { throw failure }
    return out
  }

  static func tooLong(_ limit: Int) -> Failure {
    Failure(problem: "it inflates to more than the \(limit) bytes the archive states")
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
}

/// A deflate stream inflated a piece at a time into the caller's buffers, in one pass: memory is a
/// constant (a 32 KiB window of history, 128 KiB of output, the Huffman tables) whatever the
/// stream's size.
///
/// Checks: the output may not exceed `expectedSize` and must reach it exactly, a back-reference
/// may not reach before the start, the stream must end where the input does, and the CRC-32 of
/// everything produced must be `crc`. The size and CRC-32 are known only at the end: the read
/// that reaches it (or `finish`) throws when they do not match, so a caller that fills its
/// buffers as it reads must reach the end before it uses them.
///
/// Decoding, as fast inflaters do it: a 64-bit bit buffer refilled eight bytes at a time, Huffman
/// codes found by table look-up (`HuffmanTable`), and back-references copied eight bytes at a time
/// within one buffer that holds the window and the new output together (slid down when full).
final class Inflater {
  private let input: UnsafePointer<UInt8>
  private let inputCount: Int
  let expectedSize: Int
  private let expectedCRC: UInt32
  /// Bytes given to the caller so far.
  private(set) var produced = 0
  /// Bytes decoded so far (given, or waiting in the buffer).
  private var decoded = 0
  private var crc = CRC32.Running()

  // The bit reader: `bits` holds `held` bits not yet used, the next least significant; bits above
  // `held` are zero or the input's next bits. Past the end of the input, zero bytes are added and
  // counted in `overrun`; using one of them is reading a truncated stream.
  private var position = 0
  private var bits: UInt64 = 0
  private var held = 0
  private var overrun = 0

  /// History and output: bytes `start..<end` are decoded and not yet given; the 32 KiB before
  /// `end` are the window back-references read.
  private let buffer: UnsafeMutablePointer<UInt8>
  private var start = 0
  private var end = 0
  private static let window = 1 << 15
  private static let capacity = window + (1 << 17)
  /// Room past `capacity` for copies that write up to 8 bytes beyond a match.
  private static let slack = 64

  private let literals: UnsafeMutablePointer<UInt32>
  private let distances: UnsafeMutablePointer<UInt32>
  private static let literalBits = 10
  private static let distanceBits = 8

  private var state = State.blockStart
  private var isFinal = false

  private enum State: Equatable {
    case blockStart
    case stored(remaining: Int)
    case huffman
    case done
  }

  /// `input` must stay valid as long as the inflater is used.
  init(_ input: UnsafeRawBufferPointer, expectedSize: Int, crc: UInt32) {
    buffer = .allocate(capacity: Self.capacity + Self.slack)
    // An empty input is never read: any valid pointer stands for it.
    self.input = input.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(buffer)
    inputCount = input.count
    self.expectedSize = expectedSize
    expectedCRC = crc
    literals = .allocate(capacity: HuffmanTable.literalCapacity)
    distances = .allocate(capacity: HuffmanTable.distanceCapacity)
  }

  deinit {
    buffer.deallocate()
    literals.deallocate()
    distances.deallocate()
  }

  /// Input bytes read so far.
  var consumed: Int { position - Swift.max(0, (held >> 3) - overrun) }

  /// Whether the whole stream was read and checked, and found right.
  var isDone: Bool { state == .done && start == end && failure == nil }

  /// Fills `out` with the next bytes, as many as fit; fewer only at the end of the stream, and 0
  /// once it is over. The read that reaches the end checks the size and the CRC-32.
  func read(into out: UnsafeMutableRawBufferPointer) throws(Inflate.Failure) -> Int {
    if let failure { throw failure }
    var n = 0
    while n < out.count {
      if start == end {
        if state == .done { break }
        try decode()
        continue
      }
      let take = Swift.min(end - start, out.count - n)
      (out.baseAddress! + n).copyMemory(from: buffer + start, byteCount: take)
      start += take
      n += take
      produced += take
    }
    return n
  }

  /// Reads the rest of the stream, to check it, giving nothing.
  func finish() throws(Inflate.Failure) {
    if let failure { throw failure }
    while state != .done {
      produced += end - start
      start = end
      try decode()
    }
    produced += end - start
    start = end
  }

  /// The first failure: the stream is not read further after one.
  private var failure: Inflate.Failure?

  /// Decodes more of the stream into the buffer (all of it given first): until the buffer is
  /// nearly full or the stream ends, where the size, the trailing bytes and the CRC-32 are
  /// checked.
  private func decode() throws(Inflate.Failure) {
    if let failure { throw failure }
    if end > Self.window {
      // Keep the last 32 KiB as the window for the bytes to come.
      buffer.update(from: buffer + end - Self.window, count: Self.window)
      end = Self.window
      start = end
    }
    let first = end
    do throws(Inflate.Failure) {
      try decodeBlocks(first: first)
    } catch {
      failure = error
      throw error
    }
    crc.update(UnsafeRawBufferPointer(start: buffer + first, count: end - first))
    decoded += end - first
    guard state == .done else { return }
    if decoded != expectedSize {
      failure = Inflate.Failure(
        problem: "it inflates to \(decoded) bytes, but the archive states \(expectedSize)")
    } else if consumed != inputCount {
      failure = Inflate.Failure(
        problem:
          "\(inputCount - consumed) bytes follow the end of its deflate stream, inside the member")
    } else if crc.value != expectedCRC {
      failure = Inflate.Failure(problem: "its CRC-32 does not match its data")
    }
    if let failure { throw failure }
  }

  private func decodeBlocks(first: Int) throws(Inflate.Failure) {
    let stop = Self.capacity - 258
    while end < stop {
      switch state {
      case .done:
        return
      case .blockStart:
        if isFinal {
          state = .done
          return
        }
        try startBlock()
      case .stored(let remaining):
        let take = Swift.min(remaining, Self.capacity - end)
        guard inputCount - position >= take else {
          throw Inflate.Failure(problem: "the deflate stream is truncated")
        }
        guard decoded + (end - first) + take <= expectedSize else {
          throw Inflate.tooLong(expectedSize)
        }
        (buffer + end).update(from: input + position, count: take)
        position += take
        end += take
        state = take == remaining ? .blockStart : .stored(remaining: remaining - take)
      case .huffman:
        try decodeSymbols(stop: stop, alreadyDecoded: decoded + (end - first))
      }
    }
  }

  /// The block header: its type, a stored block's length, a Huffman block's tables.
  private func startBlock() throws(Inflate.Failure) {
    isFinal = try take(1) == 1
    switch try take(2) {
    case 0:
      // A stored block starts on a byte boundary, after its length and the length's complement.
      bits >>= UInt64(held & 7)
      held -= held & 7
      let unread = (held >> 3) - overrun
      guard unread >= 0 else { throw Inflate.Failure(problem: "the deflate stream is truncated") }
      position -= unread
      (bits, held, overrun) = (0, 0, 0)
      guard inputCount - position >= 4 else {
        throw Inflate.Failure(problem: "the deflate stream is truncated")
      }
      let length = Int(input[position]) | Int(input[position + 1]) << 8
      let complement = Int(input[position + 2]) | Int(input[position + 3]) << 8
      position += 4
      guard length ^ 0xFFFF == complement else {
        throw Inflate.Failure(problem: "a stored deflate block's length check fails")
      }
      state = .stored(remaining: length)
    case 1:
      try fixedTables()
      state = .huffman
    case 2:
      try dynamicTables()
      state = .huffman
    default:
      throw Inflate.Failure(problem: "a deflate block has the reserved type 3")
    }
  }

  /// Makes `held` at least 57, from the input or, past its end, zero bytes.
  @inline(__always)
  private func refill() {
    if position &+ 8 <= inputCount {
      let word = UInt64(
        littleEndian: UnsafeRawPointer(input + position).loadUnaligned(as: UInt64.self))
      bits |= word &<< UInt64(held)
      position &+= (63 &- held) &>> 3
      held |= 56
    } else {
      while held <= 56 {
        if position < inputCount {
          bits |= UInt64(input[position]) &<< UInt64(held)
          position += 1
        } else {
          overrun += 1
        }
        held += 8
      }
    }
  }

  /// The next `count` (at most 32) bits.
  private func take(_ count: Int) throws(Inflate.Failure) -> Int {
    if held < count { refill() }
    let value = Int(bits & (1 &<< UInt64(count) &- 1))
    bits >>= UInt64(count)
    held -= count
    guard held >= overrun << 3 else {
      throw Inflate.Failure(problem: "the deflate stream is truncated")
    }
    return value
  }

  private static let fixedLengths: [UInt8] =
    [UInt8](repeating: 8, count: 144) + [UInt8](repeating: 9, count: 112)
    + [UInt8](repeating: 7, count: 24) + [UInt8](repeating: 8, count: 8)
  private static let fixedDistanceLengths = [UInt8](repeating: 5, count: 32)

  private func fixedTables() throws(Inflate.Failure) {
    try Self.fixedLengths.withUnsafeBufferPointer { lengths throws(Inflate.Failure) in
      try HuffmanTable.build(
        lengths, kind: .literalLength, rootBits: Self.literalBits, into: literals,
        capacity: HuffmanTable.literalCapacity)
    }
    try Self.fixedDistanceLengths.withUnsafeBufferPointer { lengths throws(Inflate.Failure) in
      try HuffmanTable.build(
        lengths, kind: .distance, rootBits: Self.distanceBits, into: distances,
        capacity: HuffmanTable.distanceCapacity)
    }
  }

  private static let codeLengthOrder = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
  ]

  /// The code lengths of a dynamic block, themselves Huffman-coded (RFC 1951 3.2.7).
  private func dynamicTables() throws(Inflate.Failure) {
    let literalCount = try take(5) + 257
    let distanceCount = try take(5) + 1
    let codeLengthCount = try take(4) + 4
    guard literalCount <= 286, distanceCount <= 30 else {
      throw Inflate.Failure(problem: "a dynamic deflate block declares too many codes")
    }
    var codeLengthLengths = [UInt8](repeating: 0, count: 19)
    for i in 0..<codeLengthCount {
      codeLengthLengths[Self.codeLengthOrder[i]] = UInt8(try take(3))
    }
    // The code-length code's table (7 bits, no sub-tables) borrows the distance table's room.
    try codeLengthLengths.withUnsafeBufferPointer { lengths throws(Inflate.Failure) in
      try HuffmanTable.build(
        lengths, kind: .codeLength, rootBits: 7, into: distances,
        capacity: HuffmanTable.distanceCapacity)
    }
    let total = literalCount + distanceCount
    var lengths = [UInt8](repeating: 0, count: total)
    var count = 0
    while count < total {
      if held < 7 { refill() }
      let entry = distances[Int(bits & 0x7F)]
      guard entry & HuffmanTable.symbol != 0 else {
        throw Inflate.Failure(problem: "the deflate stream holds an invalid Huffman code")
      }
      _ = try take(Int(entry & 15))
      let symbol = Int(entry >> 16)
      var repeated: UInt8 = 0
      var times = 1
      switch symbol {
      case 0...15: repeated = UInt8(symbol)
      case 16:
        guard count > 0 else {
          throw Inflate.Failure(problem: "a dynamic deflate block repeats a length before any")
        }
        (repeated, times) = (lengths[count - 1], 3 + (try take(2)))
      case 17: times = 3 + (try take(3))
      default: times = 11 + (try take(7))
      }
      guard count + times <= total else {
        throw Inflate.Failure(problem: "a dynamic deflate block's code lengths overrun")
      }
      for i in count..<count + times { lengths[i] = repeated }
      count += times
    }
    guard lengths[256] > 0 else {
      throw Inflate.Failure(problem: "a dynamic deflate block has no end-of-block code")
    }
    try lengths.withUnsafeBufferPointer { all throws(Inflate.Failure) in
      try HuffmanTable.build(
        UnsafeBufferPointer(rebasing: all[..<literalCount]), kind: .literalLength,
        rootBits: Self.literalBits, into: literals, capacity: HuffmanTable.literalCapacity)
      try HuffmanTable.build(
        UnsafeBufferPointer(rebasing: all[literalCount...]), kind: .distance,
        rootBits: Self.distanceBits, into: distances, capacity: HuffmanTable.distanceCapacity)
    }
  }

  /// Decodes the symbols of a Huffman block into the buffer until its end, or until the buffer
  /// reaches `stop` (with room for one more match after it). `alreadyDecoded` counts the bytes
  /// decoded before `end`, for the size limit.
  private func decodeSymbols(stop: Int, alreadyDecoded: Int) throws(Inflate.Failure) {
    // The state in locals for the loop; written back however it leaves.
    var bits = self.bits
    var held = self.held
    var position = self.position
    var overrun = self.overrun
    var out = end
    defer {
      self.bits = bits
      self.held = held
      self.position = position
      self.overrun = overrun
      self.end = out
    }
    let input = self.input
    let inputCount = self.inputCount
    let buffer = self.buffer
    let literals = self.literals
    let distances = self.distances
    // The last index the output may reach: the size the archive states.
    let limit = expectedSize - alreadyDecoded + end
    let literalMask = UInt64(1 << Self.literalBits - 1)
    let distanceMask = UInt64(1 << Self.distanceBits - 1)
    while out < stop {
      // At least 57 bits: a length code, its extra bits, a distance code and its extra bits
      // take at most 15 + 5 + 15 + 13 = 48.
      if position &+ 8 <= inputCount {
        let word = UInt64(
          littleEndian: UnsafeRawPointer(input + position).loadUnaligned(as: UInt64.self))
        bits |= word &<< UInt64(held)
        position &+= (63 &- held) &>> 3
        held |= 56
      } else {
        while held <= 56 {
          if position < inputCount {
            bits |= UInt64(input[position]) &<< UInt64(held)
            position &+= 1
          } else {
            overrun &+= 1
          }
          held &+= 8
        }
      }
      var entry = literals[Int(bits & literalMask)]
      if entry & HuffmanTable.subTable != 0 {
        bits &>>= UInt64(Self.literalBits)
        held &-= Self.literalBits
        entry = literals[Int(entry &>> 16) &+ Int(bits & (1 &<< UInt64(entry &>> 4 & 15) &- 1))]
      }
      bits &>>= UInt64(entry & 15)
      held &-= Int(entry & 15)
      if entry & HuffmanTable.literal != 0 {
        guard out < limit, held >= overrun &<< 3 else {
          throw held < overrun << 3
            ? Inflate.Failure(problem: "the deflate stream is truncated")
            : Inflate.tooLong(expectedSize)
        }
        buffer[out] = UInt8(truncatingIfNeeded: entry &>> 16)
        out &+= 1
        continue
      }
      if entry & HuffmanTable.length == 0 {
        guard held >= overrun << 3 else {
          throw Inflate.Failure(problem: "the deflate stream is truncated")
        }
        guard entry & HuffmanTable.endOfBlock != 0 else {
          throw Inflate.Failure(problem: "the deflate stream holds an invalid literal/length code")
        }
        state = .blockStart
        return
      }
      let lengthExtra = UInt64(entry &>> 4 & 15)
      let length = Int(entry &>> 16) &+ Int(bits & (1 &<< lengthExtra &- 1))
      bits &>>= lengthExtra
      held &-= Int(lengthExtra)
      entry = distances[Int(bits & distanceMask)]
      if entry & HuffmanTable.subTable != 0 {
        bits &>>= UInt64(Self.distanceBits)
        held &-= Self.distanceBits
        entry = distances[Int(entry &>> 16) &+ Int(bits & (1 &<< UInt64(entry &>> 4 & 15) &- 1))]
      }
      bits &>>= UInt64(entry & 15)
      held &-= Int(entry & 15)
      guard entry & HuffmanTable.distance != 0 else {
        throw Inflate.Failure(problem: "the deflate stream holds an invalid distance code")
      }
      let distanceExtra = UInt64(entry &>> 4 & 15)
      let distance = Int(entry &>> 16) &+ Int(bits & (1 &<< distanceExtra &- 1))
      bits &>>= distanceExtra
      held &-= Int(distanceExtra)
      guard held >= overrun &<< 3 else {
        throw Inflate.Failure(problem: "the deflate stream is truncated")
      }
      // The buffer holds every byte decoded, or the last 32 KiB and more after a slide.
      guard distance <= out else {
        throw Inflate.Failure(
          problem: "a back-reference reaches \(distance) bytes back, before the start of the data")
      }
      guard length <= limit &- out else { throw Inflate.tooLong(expectedSize) }
      var from = out &- distance
      let to = out &+ length
      if distance >= 8 {
        // Each 8 bytes read were written before (the distance is at least 8); the last store
        // may run up to 7 bytes past the match, into the room after it.
        var at = out
        repeat {
          let word = UnsafeRawPointer(buffer + from).loadUnaligned(as: UInt64.self)
          UnsafeMutableRawPointer(buffer + at).storeBytes(of: word, as: UInt64.self)
          from &+= 8
          at &+= 8
        } while at < to
      } else if distance == 1 {
        (buffer + out).update(repeating: buffer[out &- 1], count: length)
      } else {
        var at = out
        repeat {
          buffer[at] = buffer[from]
          from &+= 1
          at &+= 1
        } while at < to
      }
      out = to
    }
  }
}
