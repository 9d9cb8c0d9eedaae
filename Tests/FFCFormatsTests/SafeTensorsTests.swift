import FFCFormats
import FFCTensor
import Foundation
import Testing

@Test func safetensorsReadsTheFilesOfThePythonPackage() throws {
  let file = try SafeTensorsFile(
    Fixture.path("mixed.safetensors"), displayName: "mixed.safetensors")
  #expect(file.metadata.map(\.key) == ["format"])
  func values(_ name: String) throws -> Tensor {
    try file.tensor(#require(file.entry(named: name)))
  }
  #expect(try values("a") == Tensor(shape: [2, 3], scalars: [1, -2, 3.5, 0.25, -0.5, 6]))
  #expect(try values("b") == Tensor(shape: [4], scalars: [1.5, -2.25, 1e300, -0.0]))
  #expect(try values("h") == Tensor(shape: [3], scalars: [1, -0.5, 65504]))
  #expect(try values("i") == Tensor(shape: [2, 2], scalars: [1, -2, 3, 4]))
  #expect(try values("u") == Tensor(shape: [3], scalars: [0, 7, 255]))
  #expect(try values("s") == Tensor(2.5))
  #expect(try values("fc1.weight") == Tensor(shape: [3, 2], scalars: [0, 1, 2, 3, 4, 5]))
}

@Test(arguments: [SafeTensorsWriter.Precision.f32, .f64])
func safetensorsWritesWhatItReads(precision: SafeTensorsWriter.Precision) throws {
  let tensors: [(name: String, value: Tensor)] = [
    ("W1", Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6.25])), ("h.b", Tensor(-1.5)),
    ("e", Tensor(shape: [0, 4], scalars: [])),
    ("t", Tensor(shape: [2, 1, 2], scalars: [1, 2, 3, 4])),
  ]
  let data = SafeTensorsWriter.encode(tensors, as: precision, metadata: [("by", "ffc")])
  let file = try SafeTensorsFile(MappedFile(bytes: Array(data), displayName: "w.safetensors"))
  #expect(file.entries.map(\.name) == tensors.map(\.name))
  #expect(file.metadata.first?.value == "ffc")
  for (entry, (_, value)) in zip(file.entries, tensors) {
    #expect(file.tensor(entry) == value)
  }
  // The header is padded so the data starts on 8 bytes.
  #expect(Int(data[0]) % 8 == 0)
}

/// A file with the given header and `dataCount` zero bytes of data.
private func file(header: String, dataCount: Int = 16) -> [UInt8] {
  let json = Array(header.utf8)
  return withUnsafeBytes(of: UInt64(json.count).littleEndian, Array.init) + json
    + [UInt8](repeating: 0, count: dataCount)
}

@Test(arguments: [
  (Array("abc".utf8), "fewer than the 8"),
  (withUnsafeBytes(of: UInt64(1000).littleEndian, Array.init) + [0x7B], "runs past the end"),
  (file(header: "[1]"), "not an object"),
  (file(header: "{\"a\": "), "not valid JSON"),
  (
    file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{}}"#), "appears twice"
  ),
  (file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,12]}}"#), "needs 8 bytes"),
  (file(header: #"{"a":{"dtype":"F32","shape":[8],"data_offsets":[0,32]}}"#), "runs past the end"),
  (
    file(
      header:
        #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
    ),
    "overlap"
  ),
  (file(header: #"{"a":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}}"#), "does not read"),
  (file(header: #"{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#), "integer >= 0"),
  (file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}"#), "begin <= end"),
  (file(header: #"{"a":{"dtype":"F32","shape":[2]}}"#), "lacks 'data_offsets'"),
  (
    file(header: #"{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}}"#),
    "more elements"
  ),
  (file(header: #"{"__metadata__":{"a":1}}"#), "not a string"),
  (
    file(header: "{\"\u{FF}\":{}}").enumerated().map { $0.offset == 10 ? 0xFF : $0.element },
    "UTF-8"
  ),
])
func safetensorsRefusesBadFilesByName(bytes: [UInt8], problem: String) {
  do {
    _ = try SafeTensorsFile(MappedFile(bytes: bytes, displayName: "bad.safetensors"))
    Issue.record("read a bad file")
  } catch {
    #expect(error.file == "bad.safetensors")
    #expect(error.description.contains(problem), "\(error.description)")
  }
}

@Test func safetensorsReadsAMappedFileAndNamesAMissingOne() throws {
  let path = Fixture.temporary("w.safetensors")
  defer { try? FileManager.default.removeItem(atPath: path) }
  let big = Tensor(shape: [300, 1000], scalars: (0..<300_000).map { Double($0 % 977) - 300 })
  try SafeTensorsWriter.encode([("big", big)], as: .f32).write(to: URL(fileURLWithPath: path))
  let file = try SafeTensorsFile(path, displayName: "w.safetensors")
  #expect(file.tensor(file.entries[0]) == big)
  #expect(throws: FormatError.self) { try SafeTensorsFile(path + ".no", displayName: "no") }
}

/// A file larger than one of `stream`'s pieces, with awkward values (a subnormal, -0, an
/// infinity, a NaN with a payload): streamed, it is the encoded bytes; read back through a
/// stored reference (chunk by chunk, as a plan fills its buffers), every value keeps its bits;
/// the digest changes with any value.
@Test(arguments: [SafeTensorsWriter.Precision.f32, .f64])
func safetensorsStreamsLargeFilesAndReadsThemBackBitForBit(
  precision: SafeTensorsWriter.Precision
) throws {
  let count = 300_007
  var scalars = (0..<count).map { Double(Float(sin(Double($0)) * 1e3)) }
  scalars[0] = Double(Float.leastNonzeroMagnitude)
  scalars[1] = -0.0
  scalars[2] = .infinity
  scalars[3] = Double(Float(bitPattern: 0x7FC0_1234))
  let tensors: [(name: String, value: Tensor)] = [
    ("big", Tensor(shape: [count], scalars: scalars)), ("s", Tensor(0.1)),
  ]
  var pieces: [Int] = []
  var streamed = Data()
  SafeTensorsWriter.stream(tensors, as: precision, metadata: [("digest", "x")]) { bytes in
    pieces.append(bytes.count)
    streamed.append(bytes.bindMemory(to: UInt8.self))
    return true
  }
  #expect(streamed == SafeTensorsWriter.encode(tensors, as: precision, metadata: [("digest", "x")]))
  #expect(pieces.count > 2 && pieces.allSatisfy { $0 <= 1 << 20 })
  let file = try SafeTensorsFile(MappedFile(bytes: Array(streamed), displayName: "w.safetensors"))
  let stored = file.stored(try #require(file.entry(named: "big")), source: "load(\"w\")")
  #expect(stored.description == "load(\"w\")" && stored.shape == [count])
  var seen = 0
  stored.forEachChunk { start, values in
    for (i, x) in values.enumerated() {
      let expected = scalars[start + i]
      let same =
        precision == .f32
        ? Float(x).bitPattern == Float(expected).bitPattern
        : x.bitPattern == expected.bitPattern
      if !same { Issue.record("element \(start + i): \(x) read back for \(expected)") }
    }
    seen += values.count
  }
  #expect(seen == count)
  let digest = SafeTensorsWriter.digest(tensors, as: precision)
  #expect(digest.count == 16 && digest == SafeTensorsWriter.digest(tensors, as: precision))
  var changed = tensors
  changed[1].value = Tensor(0.2)
  #expect(SafeTensorsWriter.digest(changed, as: precision) != digest)
}
