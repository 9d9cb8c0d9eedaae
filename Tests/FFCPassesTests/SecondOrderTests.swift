import FFCIR
import FFCPasses
import FFCRuntime
import FFCTestSupport
import Foundation
import Testing

/// `grad(f, W)` in the language, and gradients of gradients: Hessian-vector products against
/// central differences of the first-order gradient, in f64, on random smooth networks.
@Suite struct SecondOrderTests {
  static func program(seed: UInt64) -> (text: String, feeds: [String: Tensor]) {
    var rng = SplitMix64(seed: seed)
    let activations = ["tanh", "sigmoid", "softplus", "sin"]
    let (a, b, c) = (2 + Int(rng.next() % 3), 2 + Int(rng.next() % 3), 1 + Int(rng.next() % 2))
    let act1 = activations[Int(rng.next() % 4)]
    let act2 = activations[Int(rng.next() % 4)]
    let text = """
      input X[N, \(a)]
      target Y[N, \(c)]
      input V[\(a), \(b)]
      param W1[\(a), \(b)] = normal(0, 0.7)
      param b1[\(b)] = normal(0, 0.3)
      param W2[\(b), \(c)] = normal(0, 0.7)
      h = \(act1)(X @ W1 + b1)
      o = \(act2)(h @ W2)
      L = mse(o, Y)
      g = grad(L, W1)
      hv = grad(sum(g * V), W1)
      output g
      output hv
      loss L2 = L + 0.01 * sum(g * g)
      """
    let n = 1 + Int(rng.next() % 5)
    func random(_ shape: [Int]) -> Tensor {
      Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in rng.uniform(-1, 1) })
    }
    return (text, ["X": random([n, a]), "Y": random([n, c]), "V": random([a, b])])
  }

  @Test(arguments: Array(UInt64(1)...20))
  func hessianVectorProductsMatchFiniteDifferences(seed: UInt64) throws {
    let (text, feeds) = Self.program(seed: seed)
    let graph = try Programs.compile(text, differentiate: false)
    let leaves = try LeafValues(graph, feeds: feeds, seed: seed)
    let w1 = try #require(leaves.values.first { $0.declaration.name == "W1" }?.value)
    let v = try #require(feeds["V"])
    let hv = try Programs.evaluate(graph, feeds: feeds, seed: seed).outputs[1]
    let epsilon = 1e-5
    var plus = feeds
    var minus = feeds
    plus["W1"] = w1.zip(v) { $0 + epsilon * $1 }
    minus["W1"] = w1.zip(v) { $0 - epsilon * $1 }
    let up = try Programs.evaluate(graph, feeds: plus, seed: seed).outputs[0]
    let down = try Programs.evaluate(graph, feeds: minus, seed: seed).outputs[0]
    let numeric = up.zip(down) { ($0 - $1) / (2 * epsilon) }
    #expect(
      Numerics.maxRelativeError(hv, numeric) < 1e-6, "seed \(seed): \(hv) vs \(numeric)\n\(text)")
  }

  /// The loss uses a gradient (a gradient-norm penalty): Differentiate goes through it, and the
  /// result agrees with finite differences.
  @Test(arguments: Array(UInt64(1)...10))
  func aLossWithAGradientInItDifferentiates(seed: UInt64) throws {
    let (text, feeds) = Self.program(seed: seed)
    let graph = try Programs.compile(text, differentiate: true)
    let leaves = try LeafValues(graph, feeds: feeds, seed: seed)
    let report = try GradientCheck.run(
      graph, leaves: leaves, settings: .init(epsilon: 1e-6, tolerance: 1e-6))
    let summary = report.map { "\($0.name): \($0.maxAbsoluteError)" }
    #expect(report.allSatisfy { $0.passed }, "seed \(seed): \(summary)")
  }

  @Test func closedForm() throws {
    let text =
      "param w = 0.5\nL = tanh(w)^3\noutput g = grad(L, w)\noutput h = grad(grad(L, w), w)\n"
    let values = try Programs.evaluate(Programs.compile(text, differentiate: false))
    let t = Foundation.tanh(0.5)
    #expect(abs(values.outputs[0].scalars[0] - 3 * t * t * (1 - t * t)) < 1e-14)
    #expect(abs(values.outputs[1].scalars[0] - (6 * t - 12 * t * t * t) * (1 - t * t)) < 1e-14)
  }

  @Test func misuseIsReported() {
    #expect(
      Programs.rendered("param W[2]\noutput g = grad(W, W)\n").contains(
        "'grad' differentiates a scalar, but its first argument has shape [2]"))
    #expect(
      Programs.rendered("param W[2]\noutput g = grad(sum(W * 2), W * 2)\n").contains(
        "'grad' differentiates with respect to a named value"))
    #expect(
      Programs.rendered("param W[2]\nconst c = 2\noutput g = grad(sum(W * c), c)\n").contains(
        "'grad' cannot differentiate with respect to a constant"))
    #expect(
      Programs.rendered("param W[2]\noutput g = grad(sum(W))\n").contains(
        "'grad' takes two arguments"))
    #expect(
      Programs.rendered("param W[2]\ninput V[3]\noutput t = jvp(W * 2, W, V)\n").contains(
        "the direction of 'jvp' must have the shape of 'W', [2], but has shape [3]"))
    #expect(
      Programs.rendered("param W[2]\ninput X[N, 2]\noutput J = jacobian(X * W, W)\n").contains(
        "'jacobian' needs values of known size, but got [N, 2] and [2]"))
    #expect(
      Programs.rendered("param W[2]\noutput t = jvp(W, W)\n").contains(
        "'jvp' takes three arguments"))
    #expect(
      Programs.rendered("param W[2]\noutput H = hessian(W, W)\n").contains(
        "'hessian' differentiates a scalar, but its first argument has shape [2]"))
    #expect(
      Programs.rendered("param W[2]\noutput H = hessian(sum(W))\n").contains(
        "'hessian' takes a scalar and the values"))
    #expect(
      Programs.rendered("param W[100000, 1000]\noutput H = hessian(sum(W * W), W)\n").contains(
        "the Hessian over 'W' (100000000 elements): building it takes about"))
  }
}

/// `ffc run --hessian`: the Hessian graph's rows against central differences of the gradient.
@Suite struct HessianTests {
  @Test(arguments: Array(UInt64(1)...10))
  func rowsMatchFiniteDifferencesOfTheGradient(seed: UInt64) throws {
    let (text, feeds) = SecondOrderTests.program(seed: seed)
    let forward = try Programs.lower(text)
    let hessian = try Pipeline.standard(differentiate: false, optimize: true).run(
      Hessian.graph(forward, parameter: "b1", budget: MemoryBudget.derivatives)
    ).graph
    let gradientGraph = try Programs.compile(text, differentiate: true)
    let index = try #require(
      gradientGraph.gradients.firstIndex { gradientGraph.parameter(of: $0).name == "b1" })
    let b1 = try #require(
      try LeafValues(forward, feeds: feeds, seed: seed).values.first {
        $0.declaration.name == "b1"
      }?.value)
    let rows = try Programs.evaluate(hessian, feeds: feeds, seed: seed).outputs
    #expect(rows.count == b1.count)
    let epsilon = 1e-5
    for (i, row) in rows.enumerated() {
      var plus = feeds
      var minus = feeds
      var shifted = b1
      shifted.scalars[i] += epsilon
      plus["b1"] = shifted
      shifted.scalars[i] -= 2 * epsilon
      minus["b1"] = shifted
      let up = try Programs.evaluate(gradientGraph, feeds: plus, seed: seed).gradients[index]
      let down = try Programs.evaluate(gradientGraph, feeds: minus, seed: seed).gradients[index]
      let numeric = up.zip(down) { ($0 - $1) / (2 * epsilon) }
      #expect(
        Numerics.maxRelativeError(row, numeric) < 1e-6,
        "seed \(seed) row \(i): \(row) vs \(numeric)")
    }
  }

  @Test func theTextbookNetworksOutputWeights() throws {
    // L = (y - wo·h2)² with h2 = (4, 0): the Hessian in wo is 2 h2 h2ᵀ.
    let run = CLI.run(["run", "samples/fig11_1.ffn", "--hessian", "wo", "--format", "csv"])
    #expect(run.code == .success)
    #expect(
      run.stdout.contains(
        "hessian,d2L/dwo^2,0:0,32\nhessian,d2L/dwo^2,0:1,0\nhessian,d2L/dwo^2,1:0,0\nhessian,d2L/dwo^2,1:1,0\n"
      ), "\(run.stdout)")
    let unknown = CLI.run(["run", "samples/fig11_1.ffn", "--hessian", "v"])
    #expect(
      unknown.code == .programError && unknown.stderr.contains("the program has no parameter 'v'"))
    // A Hessian too large to build is refused by the memory budget (DerivativeBudgetTests).
    let several = CLI.run([
      "run", "samples/mlp5.ffn", "--data", "samples/data/digits.csv", "--hessian", "h4.b,logits.b",
      "--format", "csv",
    ])
    #expect(
      several.code == .success
        && several.stdout.contains(#"hessian,"d2L/d(h4.b,logits.b)^2",41:41,"#),
      "\(several.stderr)")
  }
}

/// `--order 2`: Hessian-vector products for every parameter against central differences of the
/// gradient along the directions.
@Suite struct HessianVectorProductTests {
  @Test(arguments: Array(UInt64(1)...10))
  func matchFiniteDifferencesOfTheGradient(seed: UInt64) throws {
    let (text, data) = SecondOrderTests.program(seed: seed)
    let forward = try Programs.lower(text)
    let second = try Pipeline.standard(differentiate: true, optimize: true, order: 2).run(forward)
      .graph
    let first = try Programs.compile(text, differentiate: true)
    var rng = SplitMix64(seed: seed ^ 77)
    var feeds = data
    let parameters = try LeafValues(forward, feeds: data, seed: seed).values.filter {
      $0.declaration.kind == .param
    }
    for (declaration, value) in parameters {
      feeds[declaration.name] = value
      feeds["v." + declaration.name] = value.map { _ in rng.uniform(-1, 1) }
    }
    let products = try Programs.evaluate(second, feeds: feeds, seed: seed).outputs
    let epsilon = 1e-5
    var plus = feeds
    var minus = feeds
    for (declaration, value) in parameters {
      let v = try #require(feeds["v." + declaration.name])
      plus[declaration.name] = value.zip(v) { $0 + epsilon * $1 }
      minus[declaration.name] = value.zip(v) { $0 - epsilon * $1 }
    }
    let up = try Programs.evaluate(first, feeds: plus, seed: seed).gradients
    let down = try Programs.evaluate(first, feeds: minus, seed: seed).gradients
    for (index, gradient) in first.gradients.enumerated() {
      let name = first.parameter(of: gradient).name
      let product = try #require(
        second.outputs.firstIndex { $0.name == "Hv." + name }.map { products[$0] })
      let numeric = up[index].zip(down[index]) { ($0 - $1) / (2 * epsilon) }
      #expect(
        Numerics.maxRelativeError(product, numeric) < 1e-6,
        "seed \(seed) \(name): \(product) vs \(numeric)")
    }
  }
}
