import FFCIR
import FFCPasses
import FFCRuntime

extension FiniteDifferences {
  /// Checks an op's forward-mode rule against central finite differences in f64: for random
  /// inputs x, directions t (on every input that is not a class label) and an output weighting
  /// c, ⟨c, Σᵢ jvpᵢ(tᵢ)⟩ must equal (⟨c, f(x + εt)⟩ − ⟨c, f(x − εt)⟩) / 2ε. The tangents are
  /// built by `ForwardMode` into a graph and evaluated, optimised or not.
  public static func checkForwardMode(
    _ op: Op, _ sample: OpSample, seed: UInt64, epsilon: Double = 1e-6, optimize: Bool = false
  ) throws -> Outcome {
    var rng = SplitMix64(seed: seed)
    let x = sampleInputs(sample, &rng)
    let builder = GraphBuilder()
    var declarations: [Declaration] = []
    var feeds: [String: Tensor] = [:]
    var inputs: [Value] = []
    var directions: [(input: NodeID, direction: NodeID)] = []
    var plus = x
    var minus = x
    for (index, shape) in sample.inputs.enumerated() {
      let leaf = builder.leaf(Op.input, name: "x\(index)", shape: Shape(shape))
      declarations.append(
        Declaration(name: "x\(index)", kind: .input, node: leaf, shape: Shape(shape)))
      feeds["x\(index)"] = x[index]
      inputs.append(builder.value(leaf))
      if case .classIndex = sample.domain(of: index) { continue }
      let t = x[index].map { _ in rng.uniform(-1, 1) }
      let direction = builder.leaf(Op.input, name: "t\(index)", shape: Shape(shape))
      declarations.append(
        Declaration(name: "t\(index)", kind: .input, node: direction, shape: Shape(shape)))
      feeds["t\(index)"] = t
      directions.append((leaf, direction))
      plus[index] = x[index].zip(t) { $0 + epsilon * $1 }
      minus[index] = x[index].zip(t) { $0 - epsilon * $1 }
    }
    let y = try builder.apply(op, inputs, sample.attributes).nodeID
    var total: Value?
    for (input, direction) in directions {
      guard
        let tangent = try ForwardMode.tangent(
          of: y, wrt: input, along: direction, nodes: builder.nodes, builder)
      else { continue }
      total = total.map { $0 + builder.value(tangent) } ?? builder.value(tangent)
    }
    let outputShape = builder[y].shape.concrete ?? []
    let c = Tensor(
      shape: outputShape, scalars: (0..<outputShape.reduce(1, *)).map { _ in rng.uniform(-1, 1) })
    let zero = builder.value(builder.filled(0, shape: builder[y].shape))
    let weighted = try ((total ?? zero) * builder.constant(c)).sum().nodeID
    let graph = try Pipeline.standard(differentiate: false, optimize: optimize).run(
      builder.graph(
        name: op.name, declarations: declarations, outputs: [NamedValue("jvp", weighted)],
        loss: nil)
    ).graph
    let symbolic = try ReferenceEvaluator().roots(graph, feeds: feeds).outputs[0].scalars[0]
    func weightedOutput(_ operands: [Tensor]) -> Double {
      let value = op.evaluate(operands, sample.attributes, outputShape)
      return zip(value.scalars, c.scalars).reduce(0) { $0 + $1.0 * $1.1 }
    }
    let numeric = (weightedOutput(plus) - weightedOutput(minus)) / (2 * epsilon)
    return Outcome(symbolic: symbolic, numeric: numeric)
  }
}
