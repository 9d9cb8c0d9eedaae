import FFCDriver
import FFCIR
import FFCPasses
import FFCTestSupport
import Foundation
import Testing

@Suite struct DifferentiateTests {
  /// A value used along two paths gets both contributions (build_grad sums them).
  @Test func gradientsAlongSeveralPathsAreSummed() throws {
    let graph = try Programs.compile("param x = 3\ny = x * x + x\nloss y")
    #expect(try Programs.gradient(graph, "x").scalars == [7])
  }

  /// Only nodes between a parameter and the loss are differentiated.
  @Test func nodesOffThePathGetNoGradientNodes() throws {
    let graph = try Programs.compile(
      "input x[3]\nparam w[3] = 1\nnoise = exp(x) * 3\nL = sum(w * x)\noutput noise\nloss L",
      optimize: false)
    #expect(!graph.nodes.contains { $0.isGradient && $0.op === Op.exp })
  }

  @Test func aParameterThatDoesNotAffectTheLossWarnsAndGetsZero() throws {
    let source = SourceFile(path: "t.ffn", text: "param a = 1\nparam unused[2] = 5\nloss L = a * 2")
    let forward = try Programs.lower(source.text)
    let result = try Pipeline.standard(differentiate: true, optimize: true).run(forward)
    #expect(result.diagnostics.map(\.id) == ["grad.unused"])
    #expect(
      result.diagnostics.first?.message == "'unused' does not affect the loss; its gradient is zero"
    )
    let values = try Programs.evaluate(result.graph)
    #expect(values.gradients.map(\.scalars) == [[2], [0, 0]])
  }

  @Test func differentiatingWithoutALossIsAnError() throws {
    let forward = try Programs.lower("input x\ny = x * 2\noutput y")
    #expect(throws: PassFailure.self) {
      try Pipeline.standard(differentiate: true, optimize: true).run(forward)
    }
  }

  /// The gradient graph is an ordinary graph: differentiating it again gives second derivatives.
  @Test func theGradientGraphCanBeDifferentiatedAgain() throws {
    let first = try Programs.compile("param x = 0.8\ny = sin(x) * x^3\nloss y")
    let gradient = try #require(first.gradients.first)
    var second = first
    second.loss = NamedValue("dy/dx", gradient.node)
    second.gradients = []
    second = try Pipeline.standard(differentiate: true, optimize: true).run(second).graph
    let x = 0.8
    let expected = -sin(x) * pow(x, 3) + 6 * cos(x) * x * x + 6 * x * sin(x)
    let value = try Programs.evaluate(second).gradients[0].scalars[0]
    #expect(abs(value - expected) < 1e-12)
  }

  /// Gradient graphs grow linearly: for an L-layer MLP the optimised gradient part has at most about
  /// three times the forward graph's nodes, and the node count per layer is constant.
  @Test func gradientGraphSizeIsLinearInDepth() throws {
    var counts: [Int] = []
    for depth in [5, 10, 20, 40] {
      let graph = try Programs.compile(MLPGenerator.program(depth: depth, width: 8))
      let forward = graph.nodes.count - graph.gradientNodeCount
      #expect(
        graph.gradientNodeCount <= 3 * forward,
        "depth \(depth): \(graph.gradientNodeCount) gradient vs \(forward) forward")
      counts.append(graph.nodes.count)
    }
    let perLayer = zip(counts.dropFirst(), counts).map { $0 - $1 }
    #expect(perLayer[1] == 2 * perLayer[0] && perLayer[2] == 4 * perLayer[0], "\(counts)")
  }

  /// A gradient is linked to its parameter by declaration, not by name: renaming the parameter
  /// (here after Differentiate, before the optimizer renumbers every node) keeps the link, and the
  /// printed `grad` line follows the new name.
  @Test func aGradientStaysLinkedToItsParameterWhenRenamed() throws {
    let text = "param zeta = 2\nparam alpha[2] = [1, 3]\nloss L = zeta * sum(alpha * alpha)\n"
    var graph = try Pipeline.standard(differentiate: true, optimize: false).run(
      Programs.lower(text)
    ).graph
    #expect(graph.gradients.map { graph.parameter(of: $0).name } == ["zeta", "alpha"])
    let zeta = try #require(graph.declarations.firstIndex { $0.name == "zeta" })
    let old = graph.declarations[zeta]
    graph.declarations[zeta] = Declaration(
      name: "renamed", kind: old.kind, node: old.node, shape: old.shape,
      initializer: old.initializer, location: old.location)
    let optimized = try Pipeline.standard(differentiate: false, optimize: true).run(graph).graph
    try optimized.verify()
    #expect(optimized.gradients.map { optimized.parameter(of: $0).name } == ["renamed", "alpha"])
    #expect(TextPrinter().print(optimized).contains("  grad renamed = "))
    let values = try Programs.evaluate(optimized)
    #expect(values.gradients.map(\.scalars) == [[10], [4, 12]])
  }

  /// The forward part of a gradient graph: no gradient nodes, the declarations in their places,
  /// and the same loss.
  @Test func withoutGradientsKeepsTheForwardComputation() throws {
    let graph = try Programs.compile(
      "input x[2] = [1, 2]\nparam w[2] = [0.5, -1]\nparam b = 0.1\nh = tanh(x * w + b)\n"
        + "output h\nloss L = sum(h * h)\n")
    let forward = graph.withoutGradients()
    try forward.verify()
    #expect(forward.gradients.isEmpty && forward.gradientNodeCount == 0)
    #expect(forward.declarations.map(\.name) == graph.declarations.map(\.name))
    #expect(try Programs.evaluate(forward).loss == Programs.evaluate(graph).loss)
  }

  /// Very deep networks compile without recursion: 2000 layers.
  @Test func aVeryDeepNetworkCompiles() throws {
    let graph = try Programs.compile(MLPGenerator.program(depth: 2000, width: 4))
    #expect(graph.gradients.count == 4000)
  }
}
