import FFCIR
import FFCTestSupport
import Testing

/// A loss whose operands would broadcast to a shape larger than both is an error at the call
/// (`mse(o, y)` with o [N, 1] and y [N] would train on [N, N]); equal shapes, a scalar against
/// anything and a row [K] against [N, K] are accepted.
@Suite struct LossShapeTests {
  static let header = "input X[N, 2]\nparam W[2, 1] = 0.1\no = X @ W\n"

  @Test func aColumnAgainstAVectorIsAnErrorWithAFixIt() {
    let text = Programs.rendered(Self.header + "target y[N]\nloss L = mse(o, y)\n", path: "net.ffn")
    #expect(
      text == """
        net.ffn:5:10: error: 'mse' compares its operands element by element, but 'o' has shape [N, 1] and 'y' [N]: they would broadcast to [N, N], every element against every other
         5 | loss L = mse(o, y)
           |          ^~~~~~~~~
        note: declare 'y' as [N, 1]; a loss accepts equal shapes, a scalar against any shape, or one row [K] against [N, K]

        """)
  }

  /// Every element-comparing composite follows the rule, whichever operand is the larger.
  @Test(arguments: OpRegistry.composites.filter(\.comparesElements).map(\.name))
  func everyElementComparingLossRejectsGrowth(_ name: String) {
    for call in ["\(name)(o, y)", "\(name)(y, o)", "\(name)(X @ W, y * 2)"] {
      let diagnostics = Programs.diagnostics(Self.header + "target y[N]\nloss L = \(call)\n")
      #expect(diagnostics.first?.id == "shape.loss-broadcast", "\(call): \(diagnostics)")
      #expect(diagnostics.first?.message.contains("[N, N]") == true)
    }
  }

  @Test func theCrossEntropiesTakeOnlyTheirShapes() {
    for program in [
      Self.header + "target t[N]\nloss L = binary_cross_entropy(o, t)\n",
      "input Z[N, 3]\nlabel y[N, 1]\nloss L = cross_entropy(Z, y)\n",
    ] {
      #expect(Programs.diagnostics(program).first?.id == "shape.incompatible", "\(program)")
    }
  }

  @Test func acceptedShapePairsCompile() {
    for program in [
      Self.header + "target y[N, 1]\nloss L = mse(o, y)\n",
      Self.header + "loss L = sse(o, 0)\n",
      "input X[N, 3]\ntarget r[3]\nloss L = mse(X, r)\n",
      "input x[3]\ntarget t[3]\nloss L = sse(t, x)\n",
    ] {
      #expect(Programs.diagnostics(program).isEmpty, "\(program): \(Programs.diagnostics(program))")
    }
  }
}
