// The IR's public API speaks in shapes, tensors and source ranges; users of the IR get them too.
@_exported import FFCDiagnostics
@_exported import FFCTensor
