import FFCFrontend
import FFCIR
import FFCTestSupport
import Foundation
import Testing

/// Functions that state their own derivative (`derivative(g) = ...`, as `jax.custom_vjp`):
/// parsing, the `custom_vjp` node and its template, the derivative reverse mode builds from it
/// (first and second order), forward mode's refusal, and every mistake at its line.
@Suite struct CustomDerivativeTests {
  static let ste = """
    def ste(x) {
      return sign(x)
      derivative(g) = g
    }

    """

  static let clip = """
    def clip_grad(x, c) {
      return x
      derivative(g) = c * hard_tanh(g / c), 0
    }

    """

  func errors(_ text: String) -> [(id: String, line: Int, column: Int, message: String)] {
    Programs.diagnostics(text).filter { $0.severity == .error }.map {
      ($0.id, $0.range?.start.line ?? 0, $0.range?.start.column ?? 0, $0.message)
    }
  }

  func gradient(_ text: String, _ parameter: String) throws -> [Double] {
    try Programs.gradient(Programs.compile(text), parameter).scalars
  }

  @Test func parsesTheClause() throws {
    let text =
      "def sq(x, w) {\n  y = x * x\n  return y * w\n  derivative(g, r) exact = 2 * g * x * w, g * y\n}\n"
    let (program, diagnostics) = Parser.parse(SourceFile(path: "t.ffn", text: text))
    #expect(diagnostics.isEmpty)
    guard case .function(let definition)? = program.statements.last?.statement,
      let (clause, range) = definition.derivative
    else {
      Issue.record("no derivative clause")
      return
    }
    #expect(definition.body.count == 2)
    #expect(clause.gradient.name == "g" && clause.result?.name == "r" && clause.exact)
    #expect(clause.values.count == 2 && range.start.line == 4)
  }

  @Test func aCallIsACustomVJPNodeTaggedWithTheClause() throws {
    let graph = try Programs.lower(
      Self.ste + "param x[3] = [1, -2, 0.5]\nh = ste(x)\nloss L = sum(h)\n")
    let node = try #require(graph.nodes.first { $0.op === Op.customVJP })
    #expect(node.name == "h" && node.location?.start.line == 3)
    #expect(graph.nodes[node.inputs[0].index].op.name == "sign")
    let derivative = try #require(node.attributes.customDerivative)
    #expect(derivative.function == "ste" && derivative.line == 3 && !derivative.exact)
    #expect(derivative.steps.isEmpty && derivative.cotangents == [.gradient])
    // The value is the forward expression's.
    let values = try Programs.evaluate(
      Programs.compile(
        Self.ste + "param x[3] = [1, -2, 0.5]\noutput h = ste(x)\n", differentiate: false))
    #expect(values.outputs[0].scalars == [1, -1, 1])
  }

  @Test func reverseModeUsesTheStatedDerivative() throws {
    // Straight through: sign forward, the identity backward.
    let ste =
      Self.ste + "param x[3] = [1, -2, 0.5]\nparam w[3] = [0.5, 1, -1]\nloss L = sum(ste(x) * w)\n"
    #expect(try gradient(ste, "x") == [0.5, 1, -1])
    // Clipping: the incoming gradient (w) clipped to [-0.5, 0.5], times w (the chain through x*w).
    let clip =
      Self.clip
      + "param x[3] = [1, -2, 0.5]\nparam w[3] = [0.5, 3, -1]\nh = clip_grad(x * w, 0.5)\nloss L = sum(h * w)\n"
    #expect(try gradient(clip, "x") == [0.25, 1.5, 0.5])
    // dL/dw: h = x * w directly, plus the clipped gradient times x.
    #expect(try gradient(clip, "w") == [1, -7, -0.75])
    // The result and the body's values are readable: exp's true derivative, written with y.
    let program =
      "def e(x) {\n  return exp(x)\n  derivative(g, y) exact = g * y\n}\nparam x[2] = [0, 1]\nloss L = sum(e(x))\n"
    let expected = [1, exp(1.0)]
    #expect(zip(try gradient(program, "x"), expected).allSatisfy { abs($0 - $1) < 1e-12 })
  }

  @Test func aSecondOrderDifferentiatesTheBuiltBackward() throws {
    // grad L = x² by the clause (not cos x), so its derivative is 2x.
    let text =
      "def f(x) {\n  return sin(x)\n  derivative(g) = g * x * x\n}\nparam x[3] = [1, -2, 0.5]\nd = grad(sum(f(x)), x)\noutput d\nloss L = sum(d)\n"
    #expect(try gradient(text, "x") == [2, -4, 1])
    let graph = try Programs.compile(text, differentiate: false)
    let values = try Programs.evaluate(graph)
    #expect(values.outputs[0].scalars == [1, 4, 0.25])
  }

  @Test func aHessianIsReverseOverTheStatedDerivative() throws {
    // d/dx of the stated gradient x² is diag(2x).
    let text =
      "def f(x) {\n  return sin(x)\n  derivative(g) = g * x * x\n}\nparam x[2] = [1, -2]\nH = hessian(sum(f(x)), x)\noutput H\n"
    let values = try Programs.evaluate(Programs.compile(text, differentiate: false))
    #expect(values.outputs[0].scalars == [2, 0, 0, -4])
  }

  @Test func forwardModeIsRefusedAndJacobianTakesReverseMode() throws {
    let jvp = errors(
      Self.ste
        + "param x[3] = [1, 2, 3]\nparam V[3] = [1, 0, 0]\nt = jvp(ste(x), x, V)\nloss L = sum(t)\n"
    )
    #expect(jvp.map(\.id) == ["jvp.custom-derivative"] && jvp.first?.line == 7)
    #expect(jvp.first?.message.contains("'ste'") == true)
    // Fewer elements in W than in y would pick forward mode; the stated derivative makes it
    // reverse.
    let jacobian =
      "param x = 2\nparam w[3] = [1, 2, 3]\nh = ste(x * w)\nj = jacobian(h, x)\noutput j\nloss L = sum(j)\n"
    #expect(errors(Self.ste + jacobian).isEmpty)
    // Declared exact, the derivative is the forward expression's: jvp goes through it.
    let exact =
      "def e(x) {\n  return exp(x)\n  derivative(g, y) exact = g * y\n}\nparam x[2] = [0, 1]\nparam V[2] = [1, 2]\nt = jvp(e(x), x, V)\noutput t\n"
    let values = try Programs.evaluate(Programs.compile(exact, differentiate: false))
    let expected = [1, 2 * exp(1.0)]
    #expect(zip(values.outputs[0].scalars, expected).allSatisfy { abs($0 - $1) < 1e-12 })
  }

  @Test func mistakesAreReportedAtTheirLines() {
    let outside = errors("param x[2] = 1\nderivative(g) = g\nloss L = sum(x)\n")
    #expect(outside.map(\.id) == ["derivative.placement"] && outside.first?.line == 2)
    let count = errors("def f(x, w) {\n  return x * w\n  derivative(g) = g\n}\n")
    #expect(count.map(\.id) == ["derivative.count"] && count.first?.line == 3)
    #expect(count.first?.message.contains("(x, w)") == true)
    let notLast = errors("def f(x) {\n  derivative(g) = g\n  return x\n}\n")
    #expect(notLast.map(\.id) == ["derivative.placement"] && notLast.first?.line == 2)
    let twice = errors("def f(x) {\n  return x\n  derivative(g) = g\n  derivative(g) = g\n}\n")
    #expect(twice.map(\.id) == ["derivative.placement"] && twice.first?.line == 3)
    let hides = errors("def f(x) {\n  return x\n  derivative(g, x) = g\n}\n")
    #expect(hides.map(\.id) == ["name.duplicate"] && hides.first?.column == 17)
    let call = errors("def f(x) {\n  return x\n  derivative(g) = grad(sum(g), g)\n}\n")
    #expect(call.map(\.id) == ["derivative.call"] && call.first?.column == 19)
    let use = "param x[3] = [1, 2, 3]\nh = f(x)\nloss L = sum(h)\n"
    let unknown = errors("def f(x) {\n  return x\n  derivative(g) = g * q\n}\n" + use)
    #expect(unknown.map(\.id) == ["name.unknown"] && unknown.first?.column == 23)
    let shape = errors("def f(x) {\n  return x\n  derivative(g) = sum(g)\n}\n" + use)
    #expect(shape.map(\.id) == ["derivative.shape"] && shape.first?.line == 3)
    #expect(shape.first?.message.contains("shape [], but 'x' has shape [3]") == true)
    let parameters = errors(
      "def f(x) {\n  param W[3] = 1\n  return x * W\n  derivative(g) = g\n}\n" + use)
    #expect(parameters.map(\.id) == ["derivative.parameters"] && parameters.first?.line == 2)
    #expect(parameters.first?.message.contains("'W'") == true)
  }
}
