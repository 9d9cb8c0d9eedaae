import Foundation
import Testing

@testable import FFCFormats

/// The input of deflate_streams.bin, made as make_deflate_fixtures.py makes it: random bytes,
/// words, rounded f64 values, runs and copies from up to 32 KiB back, from one SplitMix64
/// sequence.
enum DeflateContent {
  static let size = 170_000

  static func bytes() -> [UInt8] {
    var state: UInt64 = 2026
    func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    var out: [UInt8] = []
    for _ in 0..<250 {
      let word = next()
      for k in 0..<8 { out.append(UInt8(truncatingIfNeeded: word >> (8 * k))) }
    }
    let words = [
      "gradient", "tensor", "deflate", "huffman", "window", "symbol", " ", "\n", "ffc", "relu",
    ]
    .map { Array($0.utf8) }
    while out.count < 30_000 { out += words[Int(next() % 10)] }
    for _ in 0..<1000 {
      let value = Double(Int(next() % 2001) - 1000) / 100
      for k in 0..<8 { out.append(UInt8(truncatingIfNeeded: value.bitPattern >> (8 * k))) }
    }
    while out.count < 70_000 {
      let n = 1 + Int(next() % 300)
      out += [UInt8](repeating: UInt8(next() % 256), count: n)
    }
    while out.count < size {
      let d = 1 + Int(next() % 32768)
      let n = 3 + Int(next() % 300)
      let start = out.count - d
      for i in 0..<n { out.append(out[start + i]) }
      out.append(UInt8(next() % 256))
    }
    return Array(out[..<size])
  }
}

/// zlib's streams of one input, in make_deflate_fixtures.py's order, with how much of the input
/// each holds.
private func zlibStreams() throws -> [(name: String, stream: [UInt8], length: Int)] {
  let file = Array(try Data(contentsOf: URL(fileURLWithPath: Fixture.path("deflate_streams.bin"))))
  let names =
    ["level 0"] + (1...9).map { "level \($0)" } + [
      "fixed Huffman", "RLE", "Huffman only", "9-bit window", "sync flush every 10,000",
    ]
  let lengths =
    [66_000] + [Int](repeating: 170_000, count: 10) + [20_000, 20_000, 170_000, 170_000]
  var streams: [(name: String, stream: [UInt8], length: Int)] = []
  var at = 0
  for (name, length) in zip(names, lengths) {
    let count = (0..<4).reduce(0) { $0 | Int(file[at + $1]) << (8 * $1) }
    streams.append((name, Array(file[at + 4..<at + 4 + count]), length))
    at += 4 + count
  }
  #expect(at == file.count)
  return streams
}

private enum Outcome {
  case success([UInt8])
  case failure(Inflate.Failure)
}

private func inflate(_ stream: [UInt8], size: Int, crc: UInt32) -> Outcome {
  stream.withUnsafeBytes { bytes in
    do {
      return .success(try Inflate.inflate(bytes, expectedSize: size, crc: crc))
    } catch {
      return .failure(error as! Inflate.Failure)
    }
  }
}

// Every stream zlib wrote (levels 0-9, fixed Huffman, RLE, Huffman only, a 9-bit window, sync
// flushes) inflates to the bytes it was made of, whole and in pieces of odd sizes.
@Test func zlibStreamsOfEveryLevelInflateToTheirInput() throws {
  let content = DeflateContent.bytes()
  // The CRC-32 Python's zlib printed for the input: the content and the CRC agree with Python.
  #expect(CRC32.checksum(content) == 2_117_018_036)
  for (name, stream, length) in try zlibStreams() {
    let expected = Array(content[..<length])
    let crc = CRC32.checksum(expected)
    switch inflate(stream, size: length, crc: crc) {
    case .success(let bytes): #expect(bytes == expected, "\(name)")
    case .failure(let failure): Issue.record("\(name): \(failure.problem)")
    }
    for piece in [1, 7, 4093, 65536] where piece > 1 || length <= 20_000 {
      var out: [UInt8] = []
      var failure: Inflate.Failure?
      var done = false
      stream.withUnsafeBytes { bytes in
        let inflater = Inflater(bytes, expectedSize: length, crc: crc)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: piece, alignment: 8)
        defer { buffer.deallocate() }
        do {
          while true {
            let n = try inflater.read(into: buffer)
            if n == 0 { break }
            out += buffer[..<n]
          }
          done = inflater.isDone && inflater.consumed == stream.count
        } catch {
          failure = error as? Inflate.Failure
        }
      }
      #expect(done, "\(name) in pieces of \(piece)")
      #expect(failure == nil && out == expected, "\(name) in pieces of \(piece)")
    }
  }
}

// Slicing by 8 gives the bitwise CRC-32 at every length and alignment.
@Test func crc32SlicedMatchesTheBitwiseDefinition() {
  let content = Array(DeflateContent.bytes()[..<300])
  for start in 0..<9 {
    for end in stride(from: start, through: content.count, by: 13) {
      var crc: UInt32 = 0xFFFF_FFFF
      for byte in content[start..<end] {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
      }
      #expect(CRC32.checksum(Array(content[start..<end])) == crc ^ 0xFFFF_FFFF)
    }
  }
}

/// Deflate's bits, least significant first; Huffman codes most significant bit first.
private struct BitWriter {
  var bytes: [UInt8] = []
  var count = 0

  mutating func bits(_ value: Int, _ n: Int) {
    for i in 0..<n {
      if count % 8 == 0 { bytes.append(0) }
      bytes[bytes.count - 1] |= UInt8((value >> i) & 1) << (count % 8)
      count += 1
    }
  }

  mutating func code(_ value: Int, _ n: Int) {
    for i in stride(from: n - 1, through: 0, by: -1) { bits((value >> i) & 1, 1) }
  }
}

/// A final dynamic block whose code-length code gives symbols 0 and 1 one bit each, then the
/// lengths of the literal/length and distance codes (1 for the symbols named, else 0); then `body`.
private func dynamicBlock(
  literalOnes: Set<Int>, distanceOnes: Set<Int>, literalCount: Int = 257, distanceCount: Int = 1,
  codeLengthLengths: [Int]? = nil, body: (inout BitWriter) -> Void = { _ in }
) -> [UInt8] {
  var w = BitWriter()
  w.bits(1, 1)
  w.bits(2, 2)
  w.bits(literalCount - 257, 5)
  w.bits(distanceCount - 1, 5)
  w.bits(18 - 4, 4)  // code-length lengths for the first 18 in the order (symbol 1 is 18th)
  // The order 16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1.
  let lengths = codeLengthLengths ?? [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
  for length in lengths { w.bits(length, 3) }
  // Symbol 0 has code 0, symbol 1 code 1.
  for symbol in 0..<literalCount { w.code(literalOnes.contains(symbol) ? 1 : 0, 1) }
  for symbol in 0..<distanceCount { w.code(distanceOnes.contains(symbol) ? 1 : 0, 1) }
  body(&w)
  return w.bytes
}

/// A final fixed-Huffman block of `body`.
private func fixedBlock(_ body: (inout BitWriter) -> Void) -> [UInt8] {
  var w = BitWriter()
  w.bits(1, 1)
  w.bits(1, 2)
  body(&w)
  return w.bytes
}

// Malformed streams are errors that say what is wrong: never a crash, a hang or an over-read.
@Test func malformedStreamsAreErrorsNamingTheFault() throws {
  let content = DeflateContent.bytes()
  let level6 = try zlibStreams()[6].stream
  let crc = CRC32.checksum(content)
  // Literal 0 (code 0) and end of block (code 1), one bit each; one distance code of one bit.
  let valid = dynamicBlock(literalOnes: [0, 256], distanceOnes: [0]) { w in
    w.code(0, 1)
    w.code(1, 1)
  }
  // The same with no distance code at all (RFC 1951 allows it: a block of literals only).
  let literalsOnly = dynamicBlock(literalOnes: [0, 256], distanceOnes: []) { w in
    w.code(0, 1)
    w.code(1, 1)
  }
  for block in [valid, literalsOnly] {
    if case .success(let bytes) = inflate(block, size: 1, crc: CRC32.checksum([0])) {
      #expect(bytes == [0])
    } else {
      Issue.record("a valid dynamic block was refused")
    }
  }
  let stored: [UInt8] = [0x01, 0x03, 0x00, 0xFC, 0xFF, 1, 2, 3]
  let cases: [(String, [UInt8], Int, UInt32, String)] = [
    ("reserved block type", [0x07], 1, 0, "reserved type 3"),
    (
      "over-subscribed code-length code",
      dynamicBlock(
        literalOnes: [], distanceOnes: [], codeLengthLengths: [Int](repeating: 1, count: 18)),
      1, 0, "over-subscribed"
    ),
    (
      "incomplete code-length code",
      dynamicBlock(
        literalOnes: [], distanceOnes: [],
        codeLengthLengths: [0, 0, 0, 1] + [Int](repeating: 0, count: 14)),
      1, 0, "incomplete"
    ),
    (
      "over-subscribed literal code", dynamicBlock(literalOnes: [0, 1, 256], distanceOnes: [0]), 1,
      0, "over-subscribed"
    ),
    (
      "incomplete literal code", dynamicBlock(literalOnes: [256], distanceOnes: [0]), 1, 0,
      "incomplete"
    ),
    (
      "a match with no distance codes",
      dynamicBlock(literalOnes: [256, 257], distanceOnes: [], literalCount: 258) { w in
        w.code(1, 1)
      }, 3, 0,
      "invalid distance code"
    ),
    (
      "no end-of-block code", dynamicBlock(literalOnes: [0, 1], distanceOnes: [0]), 1, 0,
      "end-of-block"
    ),
    (
      "distance before the start",
      fixedBlock { w in
        w.code(0x30 + 65, 8)  // 'A'
        w.code(1, 7)  // length 3
        w.code(1, 5)  // distance 2
      }, 4, 0, "before the start"
    ),
    (
      "invalid distance code 30",
      fixedBlock { w in
        w.code(0x30 + 65, 8)
        w.code(1, 7)
        w.code(30, 5)
      }, 4, 0, "invalid distance code"
    ),
    (
      "invalid length code 286", fixedBlock { w in w.code(0xC0 + 6, 8) }, 4, 0,
      "invalid literal/length code"
    ),
    ("a match past the stated size", level6, content.count - 1000, crc, "more than the"),
    (
      "fewer bytes than stated", level6, content.count + 1, crc,
      "inflates to \(content.count) bytes"
    ),
    ("wrong CRC-32", level6, content.count, crc ^ 0x100, "CRC-32"),
    ("trailing bytes", level6 + [0, 0], content.count, crc, "2 bytes follow the end"),
    ("stored LEN/NLEN mismatch", [0x01, 0x03, 0x00, 0xFC, 0xFE, 1, 2, 3], 3, 0, "length check"),
    ("stored block cut short", Array(stored.dropLast()), 3, 0, "truncated"),
    ("empty stream", [], 0, 0, "truncated"),
  ]
  for (name, stream, size, crc, says) in cases {
    switch inflate(stream, size: size, crc: crc) {
    case .success: Issue.record("\(name): read")
    case .failure(let failure):
      #expect(failure.problem.contains(says), "\(name): \(failure.problem)")
    }
  }
  if case .success(let bytes) = inflate(stored, size: 3, crc: CRC32.checksum([1, 2, 3])) {
    #expect(bytes == [1, 2, 3])
  } else {
    Issue.record("a valid stored block was refused")
  }
}

// Every prefix of a stream is truncated (an error), and random damage is read or refused: the
// fuzz target's property, in process, on the new decoder's paths (dynamic tables, sub-tables,
// long matches, stored blocks, the end of the input inside the fast loop).
@Test func cutAndDamagedStreamsAreRefusedOrRead() throws {
  let content = DeflateContent.bytes()
  let streams = try zlibStreams()
  let crc = CRC32.checksum(content)
  let level9 = streams[9].stream
  for cut in stride(from: 0, to: level9.count, by: 97) + [level9.count - 1] {
    if case .success = inflate(Array(level9[..<cut]), size: content.count, crc: crc) {
      Issue.record("a stream cut at \(cut) of \(level9.count) read")
    }
  }
  var random: UInt64 = 61
  func next() -> Int {
    random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return Int(truncatingIfNeeded: random >> 33)
  }
  var refused = 0
  for round in 0..<400 {
    let (_, good, length) = streams[[1, 6, 10, 13, 14, 0][round % 6]]
    var stream = good
    for _ in 0..<(1 + next() % 4) {
      // Mostly near the start, where the tables are.
      let at = round % 3 == 0 ? next() % stream.count : next() % Swift.min(200, stream.count)
      stream[at] ^= UInt8(truncatingIfNeeded: 1 << (next() % 8))
    }
    let expected = Array(content[..<length])
    switch inflate(stream, size: length, crc: CRC32.checksum(expected)) {
    case .success(let bytes): #expect(bytes == expected)
    case .failure(let failure):
      refused += 1
      #expect(!failure.problem.isEmpty)
    }
  }
  #expect(refused > 300)
}
