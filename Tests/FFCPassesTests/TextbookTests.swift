import FFCIR
import FFCTestSupport
import Foundation
import Testing

/// The worked numbers of the course material, reproduced by the compiled gradient graph.
@Suite struct TextbookTests {
  static let figure11_1 = """
    input  x[3] = [1, 1, 1]
    target y = 0
    param  W1[2, 3] = [[2, -3, 0], [-1, 1, 2]]
    param  W2[2, 2] = [[1, 2], [2, -2]]
    param  Wo[1, 2] = [[-1, 2]]
    h1 = relu(W1 @ x)
    h2 = relu(W2 @ h1)
    o = Wo @ h2
    output o
    loss L = sse(o, y)
    """

  static let figure11_2 = """
    input  x[3] = [1, 1, 1]
    label  y = 2
    param  W1[2, 3] = [[2, -3, 0], [-1, 1, 2]]
    param  W2[2, 2] = [[1, 2], [2, -2]]
    param  Wo[3, 2] = [[-1, 2], [2, 1], [1, 2]]
    h1 = relu(W1 @ x)
    h2 = relu(W2 @ h1)
    o = Wo @ h2
    output p = softmax(o)
    loss L = cross_entropy(o, y)
    """

  @Test func figure11_1GivesMinusFourAndSixteen() throws {
    let graph = try Programs.compile(Self.figure11_1)
    let values = try Programs.evaluate(graph)
    #expect(values.outputs[0].scalars == [-4])
    #expect(values.loss?.scalars == [16])
  }

  @Test func figure11_2GivesTheSoftmaxAndCrossEntropy() throws {
    let graph = try Programs.compile(Self.figure11_2)
    let values = try Programs.evaluate(graph)
    let p = values.outputs[0].scalars
    #expect(abs(p[0] - 0.00) < 0.005 && abs(p[1] - 0.98) < 0.005 && abs(p[2] - 0.02) < 0.005)
    let expected = -log(exp(4.0) / (exp(-4.0) + exp(8.0) + exp(4.0)))
    #expect(abs((values.loss?.scalars[0] ?? 0) - expected) < 1e-12)
    #expect(abs(expected - 4.02) < 0.005)
  }

  @Test func deltaMethodExampleGivesMinusSix() throws {
    let program = Self.figure11_2.replacingOccurrences(of: "[1, 1, 1]", with: "[3, 1, 2]")
      .replacingOccurrences(of: "loss L = cross_entropy(o, y)", with: "loss o1 = o[0]")
    let graph = try Programs.compile(program)
    let values = try Programs.evaluate(graph)
    #expect(values.loss?.scalars == [-3])
    let dW1 = try Programs.gradient(graph, "W1")
    #expect(dW1.scalars[1 * 3 + 1] == -6)
  }

  @Test func computationalGraphGivesSixTwoFive() throws {
    let graph = try Programs.compile("param a = 2\nparam b = 1\ne = (a + b) * (b + 1)\nloss e")
    let values = try Programs.evaluate(graph)
    #expect(values.loss?.scalars == [6])
    #expect(values.gradients.map(\.scalars) == [[2], [5]])
  }

  @Test func compositeFunctionMatchesTheChainRule() throws {
    let graph = try Programs.compile("param x = 0.7\nf = exp(sin(x^2))\nloss f")
    let x = 0.7
    let values = try Programs.evaluate(graph)
    #expect(abs(values.gradients[0].scalars[0] - exp(sin(x * x)) * cos(x * x) * 2 * x) < 1e-14)
  }

  @Test func linearRegressionGivesSixteenAndEight() throws {
    let graph = try Programs.compile(
      "input x = 1\ntarget y = 2\nparam w = 5\nparam b = 1\nJ = (w * x + b - y)^2\nloss J")
    let values = try Programs.evaluate(graph)
    #expect(values.loss?.scalars == [16])
    #expect(values.gradients[0].scalars == [8])
  }

  @Test func xorSolutionSeparatesThePoints() throws {
    let graph = try Programs.compile(
      """
      input X[N, 2] = [[0, 0], [0, 1], [1, 0], [1, 1]]
      target y[N] = [0, 1, 1, 0]
      param W[2, 2] = [[1, 1], [1, 1]]
      param c[2] = [0, -1]
      param w[2] = [1, -2]
      param b = 0
      h = relu(X @ W + c)
      f = h @ w + b
      output f
      loss L = mse(f, y)
      """)
    let values = try Programs.evaluate(graph)
    #expect(values.outputs[0].scalars == [0, 1, 1, 0])
    #expect(values.loss?.scalars == [0])
  }

  @Test func sigmoidNeuronMatchesTheNotes() throws {
    let graph = try Programs.compile(
      "input x = 1.5\ntarget y = 1\nparam w = 0.5\nparam b = -0.25\nC = 0.5 * (sigmoid(w * x + b) - y)^2\nloss C"
    )
    let (x, y, w, b) = (1.5, 1.0, 0.5, -0.25)
    let a = 1 / (1 + exp(-(w * x + b)))
    let values = try Programs.evaluate(graph)
    #expect(abs(values.gradients[0].scalars[0] - (a - y) * a * (1 - a) * x) < 1e-14)
    #expect(abs(values.gradients[1].scalars[0] - (a - y) * a * (1 - a)) < 1e-14)
  }
}
