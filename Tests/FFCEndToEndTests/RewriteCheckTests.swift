import FFCDriver
import FFCIR
import FFCPasses
import FFCTestSupport
import Testing

/// `--check-rewrites`: every rewrite on every sample and on random networks keeps every value,
/// and a rewrite that changes one is caught.
@Suite struct RewriteCheckTests {
  func compile(_ text: String) -> (Bool, String) {
    let source = SourceFile(path: "net.ffn", text: text)
    let result = Compilation.compile(
      source, options: .init(differentiate: true, optimize: true, checkRewrites: true))
    switch result {
    case .success: return (true, "")
    case .failure(.diagnostics(let diagnostics, _)):
      return (false, DiagnosticRenderer(files: [source]).render(diagnostics))
    }
  }

  @Test func samplesAndRandomNetworksKeepTheirValues() {
    for sample in Repository.sampleFiles() {
      let (ok, message) = compile(Repository.read("samples/" + sample))
      #expect(ok, "\(sample): \(message)")
    }
    for seed in UInt64(1)...60 {
      let network = RandomNetwork(seed: seed)
      let (ok, message) = compile(network.text)
      #expect(ok, "\(network.description): \(message)")
    }
  }

  @Test func aRewriteThatChangesAValueIsReported() throws {
    let before = try Programs.lower("param x[2] = [1, 2]\nloss L = sum(x * 2)\n")
    // The same graph with x * 2 replaced by x * 3, as a wrong rule would.
    let index = try #require(before.nodes.firstIndex { $0.op === Op.mul })
    let after = try before.rebuiltWithIndex { i, node, inputs, builder in
      guard i == index else { return nil }
      return try builder.apply(Op.mul, [builder.value(inputs[0]), builder.constant(3)]).nodeID
    }
    let replacement = try #require(after.nodes.firstIndex { $0.op === Op.mul })
    let event = RewriteEvent(
      pass: "test", rule: "x*2 -> x*3", location: before.nodes[index].location,
      before: "mul(%x, 2)", after: "mul(%x, 3)",
      original: NodeID(index), replacement: NodeID(replacement))
    let problems = RewriteChecker.check(before, after, [event])
    #expect(problems.count == 1)
    #expect(
      problems.first?.message.hasPrefix("rewrite 'x*2 -> x*3' in test changed a value: 2 became 3")
        == true, "\(problems)")
  }

  /// A stabilising rewrite is more accurate than the form it replaces: log(1 - sigmoid(z)) loses
  /// digits to cancellation as z grows (nine at z = 20, fourteen at z = 36.6), and -softplus(z)
  /// is not reported for differing from it there.
  @Test func aStabilisingRewriteIsNotHeldToTheWrittenFormsRounding() {
    // exp(z) ≈ 20, 27, 36.6: up to two wrong digits in the written form.
    for z in ["3", "3.3", "3.6"] {
      let (ok, message) = compile("param x = \(z)\nloss L = log(1 - sigmoid(exp(x)))\n")
      #expect(ok, "\(z): \(message)")
    }
  }
}
