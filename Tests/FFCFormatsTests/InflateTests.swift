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
