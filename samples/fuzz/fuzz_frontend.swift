import FFCDiagnostics
import FFCFrontend

/// libFuzzer's entry: any bytes, read as a program, are lowered to a graph or to located
/// diagnostics, which are rendered. A crash, a hang (-timeout) or a leak is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrontend(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
  let source = SourceFile(path: "fuzz.ffn", text: text)
  let result = Frontend.lower(source)
  _ = DiagnosticRenderer(files: [source]).render(result.diagnostics)
  return 0
}
