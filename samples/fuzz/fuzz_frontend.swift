import FFCDiagnostics
import FFCFrontend
import FFCPasses

/// libFuzzer's entry: any bytes, read as a program, are lowered to a graph or to located
/// diagnostics, which are rendered. A program that lowers is then differentiated and optimised
/// as `ffc compile --emit-grad` does (the backward of a custom derivative, forward mode and the
/// Hessian are built there). A crash, a hang (-timeout), a leak or an internal error of a pass
/// (a compiler bug, exit 70 for the user) is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrontend(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
  let source = SourceFile(path: "fuzz.ffn", text: text)
  let result = Frontend.lower(source)
  _ = DiagnosticRenderer(files: [source]).render(result.diagnostics)
  guard let graph = result.graph, !result.hasErrors else { return 0 }
  do throws(PassFailure) {
    let pipeline = Pipeline.standard(differentiate: graph.loss != nil, optimize: true)
    _ = try pipeline.run(graph)
  } catch {
    if case .internal(let pass, let message) = error {
      fatalError("internal error in pass '\(pass)': \(message)")
    }
  }
  return 0
}
