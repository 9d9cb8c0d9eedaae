import FFCDriver
import FFCIR
import FFCPasses
import FFCRuntime
import FFCTestSupport
import Foundation
import Testing

/// The stabilising rewrites: each fires on its pattern, preserves values where the unstable form is
/// still accurate, and keeps the loss and its gradient finite where the unstable form overflows.
@Suite struct StabilizeTests {
  static let cases: [(rule: String, expression: String, expected: Op)] = [
    ("log(softmax(z)) -> log_softmax(z)", "sum(log(softmax(z)) * t)", Op.logSoftmax),
    ("log(1 + exp(x)) -> softplus(x)", "sum(log(1 + exp(z)) * t)", Op.softplus),
    ("log(sigmoid(x)) -> -softplus(-x)", "sum(log(sigmoid(z)) * t)", Op.softplus),
    ("log(1 - sigmoid(x)) -> -softplus(x)", "sum(log(1 - sigmoid(z)) * t)", Op.softplus),
  ]

  func program(_ expression: String, z: [Double]) -> String {
    "param z[\(z.count)] = [\(z.map { "\($0)" }.joined(separator: ", "))]\ninput t[\(z.count)] = [0.3, 0.5, 0.2]\nloss L = \(expression)\n"
  }

  @Test(arguments: cases.indices)
  func firesAndPreservesValues(index: Int) throws {
    let (rule, expression, expected) = Self.cases[index]
    let text = program(expression, z: [0.4, -1.2, 2.0])
    let result = try Pipeline.standard(differentiate: true, optimize: true).run(
      Programs.lower(text))
    let counters = result.reports.first { $0.name == "stabilize" }?.counters ?? []
    #expect(counters.contains { $0.0 == rule && $0.1 == 1 }, "\(counters)")
    #expect(result.graph.nodes.contains { $0.op === expected })
    #expect(!result.graph.nodes.contains { $0.op === Op.log }, "no log left")
    #expect(result.events.contains { $0.rule == rule && $0.location?.start.line == 3 })
    let stable = try Programs.evaluate(result.graph)
    let plain = try Programs.evaluate(Programs.compile(text, differentiate: true, optimize: false))
    for (a, b) in zip([stable.loss!] + stable.gradients, [plain.loss!] + plain.gradients) {
      #expect(Numerics.maxRelativeError(a, b) < 1e-12, "\(a) vs \(b)")
    }
  }

  /// Where the written form overflows, the stabilised one stays finite.
  @Test(arguments: cases.indices)
  func staysFiniteAtExtremes(index: Int) throws {
    let text = program(Self.cases[index].expression, z: [1000, -1000, 0])
    let stable = try Programs.evaluate(Programs.compile(text, differentiate: true, optimize: true))
    #expect(stable.loss?.isFinite == true && stable.gradients.allSatisfy(\.isFinite), "\(stable)")
  }

  /// Softmax cross-entropy at logits of ±1000: finite, with gradient softmax(z) − onehot(y).
  @Test func softmaxCrossEntropyAtLargeLogits() throws {
    for loss in ["softmax_cross_entropy(z, y)", "-log(softmax(z))[1]"] {
      let text = "param z[3] = [1000, -1000, 0]\nlabel y = 1\nloss L = \(loss)\n"
      let result = try Programs.evaluate(Programs.compile(text, differentiate: true))
      #expect(result.loss?.scalars == [2000], "\(loss)")
      #expect(result.gradients[0].scalars == [1, -1, 0], "\(loss)")
    }
  }

  /// Binary cross-entropy written out with sigmoids at z = ±100: finite, gradient (σ(z) − t)/n.
  @Test func binaryCrossEntropyAtLargeLogits() throws {
    let text =
      "param z[2] = [100, -100]\ninput t[2] = [0, 1]\nloss L = -mean(t * log(sigmoid(z)) + (1 - t) * log(1 - sigmoid(z)))\n"
    let result = try Programs.evaluate(Programs.compile(text, differentiate: true))
    #expect(result.loss?.scalars == [100])
    #expect(result.gradients[0].scalars == [0.5, -0.5])
  }
}

/// Hoisting a scalar out of a sum, checked for firing and for value.
@Suite struct SumHoistingTests {
  @Test func scalarLeavesTheSum() throws {
    let text = "param x[3] = [1, 2, 3]\nconst s = 2\nloss L = sum(s * x)\n"
    let result = try Pipeline.standard(differentiate: true, optimize: true).run(
      Programs.lower(text))
    #expect(result.events.contains { $0.rule == "sum(s*x) -> s*sum(x)" })
    let values = try Programs.evaluate(result.graph)
    #expect(values.loss?.scalars == [12])
    #expect(values.gradients.map(\.scalars) == [[2, 2, 2]])
  }

  /// A scale computed at run time may be infinite: Σ(−∞·[1, 0]) is NaN but −∞·Σ[1, 0] is −∞,
  /// and -O1 must give what -O0 gives.
  @Test func aRunTimeScaleStaysInside() throws {
    let text = "param x[2] = [1, 0]\nparam s = -1e300\nloss L = sum((s * s * s) * x)\n"
    for optimize in [false, true] {
      let result = try Pipeline.standard(differentiate: false, optimize: optimize).run(
        Programs.lower(text))
      #expect(!result.events.contains { $0.rule == "sum(s*x) -> s*sum(x)" })
      #expect(try Programs.evaluate(result.graph).loss?.scalars.first?.isNaN == true)
    }
  }

  /// An infinite scale stays inside: Σ(∞·x) over x of mixed signs is NaN, ∞·Σx is ±∞.
  @Test func anInfiniteScaleStaysInside() throws {
    let text = "param x[3] = [1, -2, 0.5]\nconst big = 1e300\nloss L = sum((big * big) * x)\n"
    let result = try Pipeline.standard(differentiate: false, optimize: true).run(
      Programs.lower(text))
    #expect(!result.events.contains { $0.rule == "sum(s*x) -> s*sum(x)" })
    #expect(try Programs.evaluate(result.graph).loss?.scalars.first?.isNaN == true)
  }
}

/// A rule that keeps "firing" without changing anything would run the fixed point to its budget
/// (8 rounds) on every compile; every sample must converge before it (a chain of rewrites that
/// enable each other takes a few rounds).
@Suite struct FixedPointTests {
  @Test(arguments: Repository.sampleFiles())
  func optimizationConverges(sample: String) throws {
    let result = try Pipeline.standard(differentiate: true, optimize: true).run(
      Programs.lower(Repository.read("samples/" + sample)))
    for report in result.reports {
      #expect(report.runs < 6, "\(sample): \(report.name) ran \(report.runs) times")
    }
  }
}

/// The lint for unstable patterns no rewrite removed, and its per-line silencing.
@Suite struct UnstableLintTests {
  func warnings(_ text: String) -> [String] {
    let source = SourceFile(path: "net.ffn", text: text)
    let result = Compilation.compile(source, options: .init(differentiate: true))
    guard case .success(let (_, warnings)) = result else { return ["failed"] }
    let rendered = DiagnosticRenderer(files: [source]).render(warnings)
    return rendered.split(separator: "\n").filter { $0.contains(": warning: ") }.map(String.init)
  }

  @Test func eachPatternWarnsAtItsLine() {
    let found = warnings(
      "param x[2] = [1, 2]\ninput t[2] = [0.5, 1]\nloss L = sum(log(x) + t / x + sqrt(x))\n")
    #expect(
      found == [
        "net.ffn:3:14: warning: the logarithm of a value that can be 0 or negative gives -inf or NaN, and its gradient divides by it",
        "net.ffn:3:23: warning: a division by a value that can be 0 gives inf or NaN, in the value and in its gradient",
        "net.ffn:3:31: warning: the square root of a value that can be 0 has an infinite derivative there; the gradient becomes inf or NaN",
      ])
  }

  /// log1p(x) is -inf at x = -1, and log(1 + x) becomes log1p(x) before the lint runs: both warn
  /// unless 1 + x is known positive.
  @Test func log1pOfAValueThatCanBeMinusOneWarns() {
    let message =
      "net.ffn:2:14: warning: log1p of a value that can be -1 or less gives -inf or NaN, and its gradient divides by 1 + x"
    #expect(warnings("param x[2] = [1, 2]\nloss L = sum(log1p(x))\n") == [message])
    #expect(warnings("param x[2] = [1, 2]\nloss L = sum(log(1 + x))\n") == [message])
    #expect(warnings("param x[2] = [1, 2]\nloss L = sum(log1p(-sigmoid(x)))\n") == [message])
    #expect(
      warnings("param x[2] = [1, 2]\nloss L = sum(log1p(x * x) + log(1 + sigmoid(x)))\n").isEmpty)
  }

  @Test func safeFormsAndAllowedLinesAreQuiet() {
    #expect(
      warnings("param z[3] = [1, 2, 3]\nloss L = -log(softmax(z))[0]\n").isEmpty, "stabilised first"
    )
    #expect(
      warnings("param x[2] = [1, 2]\nloss L = sum(log(exp(x) + 1) + x / 16 + sqrt(x^2 + 1))\n")
        .isEmpty)
    #expect(warnings("param x[2] = [1, 2]\nloss L = sum(log(x))   # ffc: allow\n").isEmpty)
  }

  /// exp of a logit overflows past 88.7 in f32; exp of a bounded value or of z − max(z) cannot.
  @Test func expOfAnUnboundedValueWarns() {
    let overflow =
      "net.ffn:3:14: warning: exp of a value that can exceed 88.7 overflows to inf in f32 (and its gradient with it); subtract the maximum first, or use softmax, log_softmax, softplus or sigmoid"
    #expect(
      warnings("param W[3, 2] = glorot\ninput x[2]\nloss L = sum(exp(W @ x))\n") == [overflow])
    #expect(
      warnings("param W[3, 2] = glorot\ninput x[2]\nloss L = sum(exp(tanh(W @ x) * 80))\n").isEmpty)
    #expect(
      warnings("param W[3, 2] = glorot\ninput x[2]\nloss L = sum(exp(tanh(W @ x) * 90))\n") == [
        overflow
      ])
    #expect(
      warnings(
        "param W[3, 2] = glorot\ninput x[2]\no = W @ x\ne = exp(o - max(o))\nloss L = -log(e / sum(e))[0]\n"
      ).isEmpty)
    #expect(
      warnings("param w[2] = [1, 2]\ninput x[2]\nloss L = sum(exp(-(w - x)^2))\n").isEmpty,
      "a Gaussian: at most 1")
  }

  /// z − max(z) is at most 0 only where each maximum is subtracted from the elements it was taken
  /// over: on a square z, z − max(z, axis=1) subtracts row maxima along the columns, and
  /// [[0, 100], [0, 0]] gives exp(100).
  @Test func aMaximumSubtractedAlongTheWrongAxisIsNotABound() {
    let shifted = { (expression: String) in
      warnings(
        "input Z[2, 2] = [[0, 100], [0, 0]]\ninput X[N, 3]\nloss L = sum(exp(\(expression)))\n")
    }
    #expect(shifted("Z - max(Z, axis=1)").count == 1)
    #expect(shifted("Z - max(Z, axis=0)").isEmpty, "column maxima along the rows")
    #expect(shifted("Z - max(Z, axis=1, keepdims=1)").isEmpty)
    #expect(shifted("Z - max(Z, axis=-1, keepdims=1)").isEmpty)
    #expect(shifted("Z - max(Z)").isEmpty)
    #expect(shifted("X - max(X, axis=1, keepdims=1)").isEmpty)
    #expect(shifted("X - max(X, axis=0)").isEmpty)
    #expect(shifted("Z - max(Z.T, axis=0)").count == 1, "not the same z")
  }

  /// A negative denominator is as safe as a positive one; a range that straddles 0 is not.
  @Test func divisionNeedsOnlyAValueThatIsNever0() {
    #expect(warnings("param x[2] = [1, 2]\nloss L = sum(x / -exp(tanh(x)))\n").isEmpty)
    #expect(warnings("param x[2] = [1, 2]\nloss L = sum(x / (sigmoid(x) - 0.5))\n").count == 1)
    #expect(warnings("param x[2] = [1, 2]\nloss L = sum(x / (sigmoid(x) + 0.5))\n").isEmpty)
    #expect(warnings("param x[2] = [1, 2]\nloss L = sum(x / leaky_relu(x, -1))\n").count == 1)
  }
}

/// The ranges the ops' rules give, on the patterns the lint judges.
@Suite struct ValueRangeTests {
  func range(_ expression: String, _ declarations: String = "param x[3] = [1, 2, 3]\n") throws
    -> ValueRange
  {
    let graph = try Programs.lower(declarations + "output r = " + expression + "\n")
    return graph.valueRanges()[graph.outputs[0].node.index]
  }

  @Test func boundedFunctionsAndTheirCombinations() throws {
    #expect(try range("tanh(x)") == ValueRange(-1, 1))
    #expect(try range("sigmoid(x)") == ValueRange(0, 1, excludesZero: true))
    #expect(try range("2 * sigmoid(x) - 1") == ValueRange(-1, 1))
    #expect(try range("exp(-square(x))") == ValueRange(0, 1, excludesZero: true))
    #expect(try range("relu(x) + 1") == ValueRange(1, .infinity))
    #expect(try range("x - max(x)") == ValueRange(-.infinity, 0))
    #expect(try range("softmax(x)") == ValueRange(0, 1, excludesZero: true))
    #expect(try range("sum(sigmoid(x))") == ValueRange(0, 3, excludesZero: true))
    #expect(try range("x") == .unknown)
    #expect(try range("1 / (1 + exp(x))").isPositive)
    #expect(try range("abs(x)") == .nonnegative)
    #expect(try range("x^2") == .nonnegative)
    #expect(try range("x * x") == .nonnegative)
    #expect(try range("[-2, 3]") == ValueRange(-2, 3, excludesZero: true))
  }

  /// leaky_relu with a negative slope is not monotonic: leaky_relu(x, -1) is |x|, 0 at x = 0, so
  /// its logarithm and a division by it warn.
  @Test func leakyReLUWithANegativeSlope() throws {
    #expect(try range("leaky_relu(x, -1)") == .nonnegative)
    #expect(
      try range("leaky_relu(c, -2)", "const c = [-1, 0.5, 2]\n")
        == ValueRange(0, 2, excludesZero: true))
    #expect(try range("leaky_relu(x, 0.1)") == .unknown)
    #expect(try range("leaky_relu(x, 0)") == .nonnegative)
    #expect(try range("leaky_relu(exp(x), -1)").isPositive)
  }
}

/// `where(c, a, b)`: the branch not taken gets an exact 0, and its own derivative (inf or NaN
/// there) is selected away rather than multiplied by that 0.
@Suite struct NaNSafeSelectionTests {
  func gradient(_ text: String) throws -> [Double] {
    let result = try Pipeline.standard(differentiate: true, optimize: true).run(
      Programs.lower(text))
    return try #require(try Programs.evaluate(result.graph).gradients.first).scalars
  }

  @Test func squareRootOfNegativesNotTaken() throws {
    #expect(
      try gradient("param x[3] = [-1, 1, 4]\nloss L = sum(where(x, sqrt(x), 0))\n") == [
        0, 0.5, 0.25,
      ])
  }

  @Test func logarithmAtZeroNotTaken() throws {
    let g = try gradient("param x[3] = [0, 1, 2]\nloss L = sum(where(x, log(x) * 3, -1))\n")
    #expect(g == [0, 3, 1.5])
  }

  /// The second derivative too: a quotient's derivative negates the cotangent, and the gradient,
  /// a root, is read again by the Hessian-vector product; neither may stop the factors moving in.
  @Test func secondDerivativesOfABranchNotTaken() throws {
    #expect(
      try gradient(
        "param x[3] = [-1, 1, 4]\nL = sum(where(x, sqrt(x), 0))\nloss R = sum(grad(L, x))\n") == [
          0, -0.25, -0.03125,
        ])
    let text = "param x[3] = [-1, 1, 4]\nloss L = sum(where(x, sqrt(x), 0))\n"
    let graph = try Pipeline.standard(differentiate: true, optimize: true, order: 2).run(
      Programs.lower(text)
    ).graph
    let hv = try Programs.evaluate(graph, feeds: ["v.x": Tensor(shape: [3], scalars: [1, 1, 1])])
      .outputs
    #expect(hv.map(\.scalars) == [[0, -0.25, -0.03125]])
    // A selection read twice (h and the quotient's numerator): its gradient is a sum of selections.
    let twice =
      "param x[3] = [-1, 1, 4]\nh = where(x, sqrt(x), 0)\nloss L = sum(h * exp(x) / (x + 2.5))\n"
    let second = try Pipeline.standard(differentiate: true, optimize: true, order: 2).run(
      Programs.lower(twice)
    ).graph
    let values = try Programs.evaluate(
      second, feeds: ["v.x": Tensor(shape: [3], scalars: [1, 0, 0])]
    ).outputs
    #expect(values.map(\.scalars) == [[0, 0, 0]])
  }

  @Test func bothBranchesAndAScalarCondition() throws {
    #expect(try gradient("param x[2] = [2, 3]\nloss L = sum(where(-x, x * x, 5 * x))\n") == [5, 5])
  }
}
