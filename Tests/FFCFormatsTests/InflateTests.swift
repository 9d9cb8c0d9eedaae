import FFCFormats
import FFCTensor
import Foundation
import Testing

// Archives written by np.savez_compressed (dynamic-Huffman blocks) and by zipfile at deflate level
// 0 (stored blocks) hold the same array as the plain .npy beside them.
@Test func deflatedArchivesReadAsNumpyWroteThem() throws {
  let expected = try NumPy.array(
    MappedFile(Fixture.path("big_deflate_expected.npy"), displayName: "e.npy"))
  for name in ["big_deflate.npz", "big_stored_deflate.npz"] {
    let arrays = try NumPyArchive.arrays(MappedFile(Fixture.path(name), displayName: name))
    #expect(arrays.map(\.name) == ["big"])
    #expect(arrays.first?.value == expected)
  }
}

/// A zip archive of one member `a.npy` compressed with deflate: `stream` as its data, `crc` and
/// `size` as the central directory states them.
private func zip(_ stream: [UInt8], crc: UInt32, size: Int) -> [UInt8] {
  func le(_ value: Int, _ count: Int) -> [UInt8] {
    (0..<count).map { UInt8(value >> (8 * $0) & 0xFF) }
  }
  let name = Array("a.npy".utf8)
  let common =
    le(20, 2) + le(0, 2) + le(8, 2) + le(0, 4) + le(Int(crc), 4) + le(stream.count, 4)
    + le(size, 4) + le(name.count, 2) + le(0, 2)
  let local = le(0x0403_4b50, 4) + common + name + stream
  let central =
    le(0x0201_4b50, 4) + le(20, 2) + common + le(0, 2) + le(0, 2) + le(0, 2) + le(0, 4)
    + le(0, 4) + name
  let end =
    le(0x0605_4b50, 4) + le(0, 4) + le(1, 2) + le(1, 2) + le(central.count, 4)
    + le(local.count, 4) + le(0, 2)
  return local + central + end
}

/// The .npy bytes as one stored deflate block.
private func storedBlock(_ data: [UInt8]) -> [UInt8] {
  [
    0x01, UInt8(data.count & 0xFF), UInt8(data.count >> 8), ~UInt8(data.count & 0xFF),
    ~UInt8(data.count >> 8),
  ] + data
}

private func problem(_ bytes: [UInt8]) -> String? {
  do {
    _ = try NumPyArchive.arrays(MappedFile(bytes: bytes, displayName: "bad.npz"))
    return nil
  } catch { return error.problem }
}

@Test func malformedDeflateStreamsAreErrors() throws {
  let npy = Array(try Data(contentsOf: URL(fileURLWithPath: Fixture.path("x_f32.npy"))))
  let crc = crc32(npy)
  let good = storedBlock(npy)
  #expect(problem(zip(good, crc: crc, size: npy.count)) == nil)
  let cases: [(stream: [UInt8], crc: UInt32, size: Int, says: String)] = [
    ([0x07], crc, npy.count, "reserved type 3"),
    // A fixed block whose first symbol is a length-3 match at distance 1: nothing to copy yet.
    ([0x03, 0x02, 0x00], crc, npy.count, "before the start of the data"),
    (Array(good.dropLast(5)), crc, npy.count, "truncated"),
    ([0x03], crc, npy.count, "truncated"),
    (good, crc ^ 1, npy.count, "CRC-32"),
    (good, crc, npy.count + 1, "inflates to \(npy.count) bytes"),
    (good, crc, npy.count - 1, "more than the"),
    (good, crc, 1 << 30, "more than its"),
    ([0x01, 0x05, 0x00, 0x00, 0x00], crc, npy.count, "length check"),
  ]
  for item in cases {
    let said = problem(zip(item.stream, crc: item.crc, size: item.size))
    #expect(said?.contains(item.says) == true, "\(item.says): \(said ?? "read")")
  }
}

private func crc32(_ bytes: [UInt8]) -> UInt32 {
  var crc: UInt32 = 0xFFFF_FFFF
  for byte in bytes {
    crc ^= UInt32(byte)
    for _ in 0..<8 { crc = crc & 1 == 1 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
  }
  return crc ^ 0xFFFF_FFFF
}

// Every single-byte change of a deflated archive is read or refused, never a crash or over-read.
@Test func damagedDeflatedArchivesNeverCrash() throws {
  let good = Array(try Data(contentsOf: URL(fileURLWithPath: Fixture.path("xy_deflate.npz"))))
  for index in good.indices {
    for flip: UInt8 in [0xFF, 0x01] {
      var changed = good
      changed[index] ^= flip
      _ = try? NumPyArchive.arrays(MappedFile(bytes: changed, displayName: "x.npz"))
    }
  }
}

// Members of 560 and 280 KB (np.savez_compressed): a read inflates them in 64 KiB pieces into
// 64k-element chunks, crossing pieces inside back-references. Every value is checked, read in
// chunks twice (the second read starts the stream again), whole, and through the Tensor API.
@Test func largeDeflatedMembersStreamWithTheirValues() throws {
  let file = try MappedFile(Fixture.path("large_deflate.npz"), displayName: "large.npz")
  let arrays = try NumPyArchive.storedArrays(file)
  #expect(arrays.map(\.name) == ["big", "small"])
  let big = try #require(arrays.first?.value)
  let small = try #require(arrays.last?.value)
  #expect(big.shape == [700, 100] && small.shape == [70000])
  func bigValue(_ i: Int) -> Double { Double(i % 97) * 0.25 + Double(i % 13) }
  func smallValue(_ i: Int) -> Double { Double(i % 89) - 40.5 }
  for _ in 0..<2 {
    var seen = 0
    var wrong = 0
    big.forEachChunk { start, chunk in
      #expect(start == seen)
      for (k, x) in chunk.enumerated() where x != bigValue(start + k) { wrong += 1 }
      seen += chunk.count
    }
    #expect(seen == 70000 && wrong == 0)
  }
  // Interleaved with another member's reads: each member keeps its own stream.
  var smallWrong = 0
  small.forEachChunk { start, chunk in
    for (k, x) in chunk.enumerated() where x != smallValue(start + k) { smallWrong += 1 }
    #expect(big.tensor().scalars[start] == bigValue(start))
  }
  #expect(smallWrong == 0)
  let whole = try NumPyArchive.arrays(file)
  #expect(whole[0].value.scalars == (0..<70000).map(bigValue))
  #expect(whole[1].value.scalars == (0..<70000).map(smallValue))
}

// The fuzz target's property in process: bytes of a deflated archive changed at random either
// read or are a FormatError, and when they read, the streamed member (in chunks) holds the same
// values as the member inflated whole by `Inflate.inflate`.
@Test func damagedDeflatedArchivesStreamAsTheyInflate() throws {
  let good = Array(try Data(contentsOf: URL(fileURLWithPath: Fixture.path("big_deflate.npz"))))
  var random = UInt64(16)
  func next() -> Int {
    random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return Int(truncatingIfNeeded: random >> 33)
  }
  var (read, refused) = (0, 0)
  for round in 0..<300 {
    var bytes = good
    // Damage inside the compressed data mostly (the first 22,900 bytes), now and then the end.
    for _ in 0..<(1 + next() % 3) {
      let at = round % 10 == 0 ? bytes.count - 1 - next() % 120 : 40 + next() % 22_800
      bytes[at] = UInt8(truncatingIfNeeded: next())
    }
    do {
      let file = MappedFile(bytes: bytes, displayName: "bad.npz")
      let streamed = try NumPyArchive.storedArrays(file)
      read += 1
      for (_, value) in streamed {
        var values: [Double] = []
        value.forEachChunk { _, chunk in values += chunk }
        #expect(values.count == value.count)
        #expect(value.tensor().scalars.elementsEqual(values) { $0.bitPattern == $1.bitPattern })
      }
    } catch {
      refused += 1
      #expect(error.problem.isEmpty == false)
    }
  }
  #expect(read + refused == 300 && refused > 100)
}
