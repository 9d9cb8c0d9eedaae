import FFCIR
import FFCPasses
import FFCRuntime

/// Checks derivative rules against central finite differences in f64 with JAX's dot-product test:
/// for a random direction t and a random output weighting c, ⟨t, vjp(c)⟩ must equal
/// (⟨c, f(x + εt)⟩ − ⟨c, f(x − εt)⟩) / 2ε.
public enum FiniteDifferences {
  public struct Outcome: CustomStringConvertible {
    public let symbolic: Double
    public let numeric: Double
    public var relativeError: Double {
      abs(symbolic - numeric) / max(1e-8, abs(symbolic) + abs(numeric))
    }
    public var description: String {
      "symbolic \(symbolic), numeric \(numeric), relative error \(relativeError)"
    }
  }

  /// Samples inputs for one op configuration inside the op's domain.
  public static func sampleInputs(_ sample: OpSample, _ rng: inout SplitMix64) -> [Tensor] {
    sample.inputs.enumerated().map { index, shape in
      let domain = sample.domain(of: index)
      let count = shape.reduce(1, *)
      let values = (0..<count).map { _ -> Double in
        switch domain {
        case .any: return rng.uniform(-2, 2)
        case .positive: return rng.uniform(0.3, 2)
        case .awayFromKinks:
          let magnitude = [rng.uniform(0.2, 0.8), rng.uniform(1.2, 2)][Int(rng.next() % 2)]
          return rng.next() % 2 == 0 ? magnitude : -magnitude
        case .classIndex(let classes): return Double(rng.next() % UInt64(classes))
        }
      }
      return Tensor(shape: shape, scalars: values)
    }
  }

  /// A graph computing Σ c ⊙ op(x0, x1, ...) with every non-label input a parameter.
  public static func probeGraph(_ op: Op, _ sample: OpSample, weights c: Tensor) throws -> Graph {
    let builder = GraphBuilder()
    var declarations: [Declaration] = []
    var inputs: [Value] = []
    for (index, shape) in sample.inputs.enumerated() {
      let name = "x\(index)"
      let isLabel: Bool
      if case .classIndex = sample.domain(of: index) { isLabel = true } else { isLabel = false }
      let leafOp = isLabel ? Op.input : Op.param
      let leaf = builder.leaf(leafOp, name: name, shape: Shape(shape))
      declarations.append(
        Declaration(name: name, kind: isLabel ? .label : .param, node: leaf, shape: Shape(shape)))
      inputs.append(builder.value(leaf))
    }
    let y = builder.apply(op, inputs, sample.attributes)
    let loss = try (y * builder.constant(c)).sum().nodeID
    builder.rename(loss, "L")
    return builder.graph(
      name: op.name, declarations: declarations, outputs: [], loss: NamedValue("L", loss))
  }

  /// Runs the dot-product test for one op configuration.
  public static func check(
    _ op: Op, _ sample: OpSample, seed: UInt64, epsilon: Double = 1e-6, optimize: Bool = false
  ) throws -> Outcome {
    var rng = SplitMix64(seed: seed)
    let x = sampleInputs(sample, &rng)
    let outputShape =
      try op.inferShape(sample.inputs.map { Shape($0) }, sample.attributes).concrete ?? []
    let c = Tensor(
      shape: outputShape, scalars: (0..<outputShape.reduce(1, *)).map { _ in rng.uniform(-1, 1) })
    let graph = try Pipeline.standard(differentiate: true, optimize: optimize).run(
      probeGraph(op, sample, weights: c)
    ).graph
    var feeds: [String: Tensor] = [:]
    for (index, value) in x.enumerated() { feeds["x\(index)"] = value }
    let evaluator = ReferenceEvaluator()
    let gradients = try evaluator.roots(graph, feeds: feeds).gradients
    var symbolic = 0.0
    var plus = feeds
    var minus = feeds
    for (gradientIndex, gradient) in graph.gradients.enumerated() {
      let name = graph.parameter(of: gradient).name
      guard let base = feeds[name] else { continue }
      let t = base.map { _ in rng.uniform(-1, 1) }
      symbolic += zip(t.scalars, gradients[gradientIndex].scalars).reduce(0) { $0 + $1.0 * $1.1 }
      plus[name] = base.zip(t) { $0 + epsilon * $1 }
      minus[name] = base.zip(t) { $0 - epsilon * $1 }
    }
    let up = try evaluator.roots(graph, feeds: plus).loss?.scalars[0] ?? 0
    let down = try evaluator.roots(graph, feeds: minus).loss?.scalars[0] ?? 0
    return Outcome(symbolic: symbolic, numeric: (up - down) / (2 * epsilon))
  }
}

/// Comparing computed tensors.
public enum Numerics {
  /// The largest |a − b| / max(1, |b|) over the elements (NaN and infinities must match exactly);
  /// infinity when the shapes differ.
  public static func maxRelativeError(_ a: Tensor, _ b: Tensor) -> Double {
    guard a.shape == b.shape else { return .infinity }
    var worst = 0.0
    for (x, y) in zip(a.scalars, b.scalars) {
      if x.isNaN || y.isNaN || x.isInfinite || y.isInfinite {
        if !(x.isNaN && y.isNaN) && x != y { return .infinity }
        continue
      }
      worst = max(worst, abs(x - y) / max(1, abs(y)))
    }
    return worst
  }
}

/// Test-only ops that the gradient checks must catch.
public enum TestOps {
  /// x², with a derivative rule off by a factor of two (g·x instead of 2·x·g).
  public static let wrongSquare = Op(
    name: "wrong_square", arity: 1, traits: .elementwise,
    inferShape: { shapes, _ in shapes[0] },
    evaluate: { inputs, _, _ in inputs[0].map { $0 * $0 } },
    vjp: { c in [c.g * c.x] },
    samples: [OpSample([[3]])])
}
