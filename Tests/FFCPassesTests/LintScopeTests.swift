import FFCDriver
import FFCIR
import FFCPasses
import FFCTestSupport
import Testing

/// The lint pass works out value ranges only when some node of the forward graph has a lint
/// rule: a network of products, sums and tanh gets no warning and its graph back as it was, and
/// one that takes a logarithm is still warned about.
@Suite struct LintScopeTests {
  @Test func aNetworkWithoutALintedOpIsLeftAsItIs() throws {
    let graph = try Programs.lower(MLPGenerator.program(depth: 3, width: 4))
    var context = PassContext()
    let result = try UnstableLint().run(graph, &context)
    #expect(result.isIdentical(to: graph))
    #expect(context.diagnostics.isEmpty)
  }

  @Test func aLogarithmOfAValueThatCanBeZeroIsStillWarnedAbout() throws {
    let graph = try Programs.lower(
      "input x[N, 3]\nparam w[3] = [1, 2, 3]\nh = tanh(x * w)\nloss L = sum(log(h * h))\n")
    var context = PassContext()
    _ = try UnstableLint().run(graph, &context)
    #expect(context.diagnostics.contains { $0.id == "lint.log" }, "\(context.diagnostics)")
  }
}
