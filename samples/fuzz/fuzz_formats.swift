import FFCFormats

/// libFuzzer's entry: any bytes, read as a safetensors file, a .npy file, a .npz archive and a raw
/// deflate stream, give tensors (bytes) or a `FormatError`. Every length and offset is checked before the bytes it names are
/// read, so a crash, an over-read (AddressSanitizer), a hang or a leak is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFormats(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
  if let file = try? SafeTensorsFile(MappedFile(bytes: bytes, displayName: "fuzz.safetensors")) {
    for entry in file.entries { _ = file.tensor(entry).count }
  }
  _ = try? NumPy.array(MappedFile(bytes: bytes, displayName: "fuzz.npy")).count
  _ = try? NumPyArchive.arrays(MappedFile(bytes: bytes, displayName: "fuzz.npz")).count
  // A raw deflate stream after its stated size (4 bytes, little-endian, capped at 4 MiB), as
  // Tests/Fixtures/formats/deflate_streams.bin lays out its first stream.
  if bytes.count >= 4 {
    let size = Swift.min(1 << 22, (0..<4).reduce(0) { $0 | Int(bytes[$1]) << (8 * $1) })
    _ = try? Inflate.inflate(Array(bytes[4...]), size: size, crc: 0, displayName: "fuzz").count
  }
  return 0
}
