import FFCFormats

/// libFuzzer's entry: any bytes, read as an ONNX model by ffc's protobuf reader, give a model
/// (then imported, and its tensors' values read) or a ProtobufError/ONNXFormatError. A crash, an
/// over-read (AddressSanitizer), a hang (-timeout) or a leak is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzONNX(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  let bytes = [UInt8](UnsafeRawBufferPointer(start: start, count: count))
  guard let model = try? ONNXModel(decoding: bytes) else { return 0 }
  for tensor in model.graph.initializers { _ = try? tensor.floatValues() }
  if let program = try? ONNXImport.program(model, loss: .mse) {
    _ = program.text(value: ImportedProgram.literal)
  }
  return 0
}
