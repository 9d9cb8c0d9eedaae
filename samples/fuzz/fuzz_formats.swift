import FFCFormats

/// libFuzzer's entry: any bytes, read as a safetensors file, a .npy file and a .npz archive, give
/// tensors or a `FormatError`. Every length and offset is checked before the bytes it names are
/// read, so a crash, an over-read (AddressSanitizer), a hang or a leak is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFormats(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
  if let file = try? SafeTensorsFile(MappedFile(bytes: bytes, displayName: "fuzz.safetensors")) {
    for entry in file.entries { _ = file.tensor(entry).count }
  }
  _ = try? NumPy.array(MappedFile(bytes: bytes, displayName: "fuzz.npy")).count
  _ = try? NumPyArchive.arrays(MappedFile(bytes: bytes, displayName: "fuzz.npz")).count
  return 0
}
