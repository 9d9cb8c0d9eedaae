import FFCDriver
import FFCIR
import FFCPasses
import FFCRuntime
import FFCTestSupport
import Testing

/// The compiled plan against the reference evaluator: every op's kernel (forward, and through the
/// gradient graph the kernels its derivative uses) on every configuration the op lists.
@Suite struct PlanKernelTests {
  static let configurations: [(String, Int)] = OpRegistry.all.filter { !$0.isLeaf }.flatMap { op in
    op.samples.indices.map { (op.name, $0) }
  }

  @Test(arguments: configurations)
  func kernelsMatchTheReference(opName: String, sampleIndex: Int) throws {
    let op = try #require(OpRegistry.byName[opName])
    let sample = op.samples[sampleIndex]
    var rng = SplitMix64(seed: 0xFFC)
    let inputs = FiniteDifferences.sampleInputs(sample, &rng)
    let outputShape =
      try op.inferShape(sample.inputs.map { Shape($0) }, sample.attributes).concrete ?? []
    let weights = Tensor(
      shape: outputShape, scalars: (0..<outputShape.reduce(1, *)).map { _ in rng.uniform(-1, 1) })
    let probe = try FiniteDifferences.probeGraph(op, sample, weights: weights)
    let graph = try Pipeline.standard(differentiate: op.vjp != nil, optimize: false).run(probe)
      .graph
    var feeds: [String: Tensor] = [:]
    for (index, value) in inputs.enumerated() { feeds["x\(index)"] = value }

    let reference = try ReferenceEvaluator().evaluate(graph, feeds: feeds)
    let plan64 = try Plan<Double>(
      graph, leaves: LeafValues(graph, feeds: feeds, seed: 0), keepAll: true)
    plan64.run()
    let plan32 = try Plan<Float>(
      graph, leaves: LeafValues(graph, feeds: feeds, seed: 0), keepAll: true)
    plan32.run()
    #expect(plan64.statistics.fallbackOps.isEmpty, "'\(op.name)' has no kernel")
    for index in graph.nodes.indices {
      let expected = reference[index]
      let f64 = plan64.value(of: NodeID(index))
      let f32 = plan32.value(of: NodeID(index))
      let node = "'\(op.name)' \(sample.inputs) node %\(index) (\(graph.nodes[index].op.name))"
      #expect(
        Numerics.maxRelativeError(f64, expected) < 1e-12, "\(node) f64: \(f64) vs \(expected)")
      #expect(Numerics.maxRelativeError(f32, expected) < 1e-5, "\(node) f32: \(f32) vs \(expected)")
    }
  }
}

@Suite struct BufferPlanTests {
  /// A chain of elementwise ops runs in place; a wide graph reuses freed buffers.
  @Test func buffersAreReused() throws {
    let graph = try Programs.compile(MLPGenerator.program(depth: 8, width: 16), differentiate: true)
    let leaves = try LeafValues(
      graph,
      feeds: [
        "X": Tensor(repeating: 0.5, shape: [64, 16]), "Y": Tensor(repeating: 0.1, shape: [64, 16]),
      ], seed: 1)
    let shared = try Plan<Float>(graph, leaves: leaves)
    let unshared = try Plan<Float>(graph, leaves: leaves, keepAll: true)
    #expect(shared.statistics.peakBytes < unshared.statistics.peakBytes / 2)
    let all = try ReferenceEvaluator(seed: 1).evaluate(
      graph,
      feeds: [
        "X": Tensor(repeating: 0.5, shape: [64, 16]), "Y": Tensor(repeating: 0.1, shape: [64, 16]),
      ])
    var reported = false
    shared.run { node in
      if !reported && Numerics.maxRelativeError(shared.value(of: node), all[node.index]) > 1e-5 {
        reported = true
        Issue.record(
          "first wrong node \(node) \(graph[node].op.name) \(shared.value(of: node).scalars.prefix(4)) vs \(all[node.index].scalars.prefix(4)); inputs \(graph[node].inputs)"
        )
      }
    }
    unshared.run()
    let a = shared.roots()
    let b = unshared.roots()
    let reference = try ReferenceEvaluator(seed: 1).roots(
      graph,
      feeds: [
        "X": Tensor(repeating: 0.5, shape: [64, 16]), "Y": Tensor(repeating: 0.1, shape: [64, 16]),
      ])
    for (x, y) in zip(a.gradients, b.gradients) { #expect(x == y) }
    for (x, y) in zip(reference.gradients, b.gradients) {
      #expect(Numerics.maxRelativeError(y, x) < 1e-5)
    }
    #expect(a.loss == b.loss)
  }

  /// A long chain of statements, whose gradient reads every forward value in one fused node (so
  /// thousands of values die at one node): planned and run, it computes what the reference does.
  @Test func aLongChainRunsLikeTheReference() throws {
    let length = 2000
    var text = "param h0 = 0.5\n"
    for i in 1...length { text += "h\(i) = tanh(h\(i - 1) * 1.0001)\n" }
    text += "loss L = h\(length)\n"
    let graph = try Programs.compile(text)
    let plan = try Plan<Double>(graph, leaves: LeafValues(graph, feeds: [:], seed: 0))
    plan.run()
    let planned = plan.roots()
    let reference = try ReferenceEvaluator().roots(graph, feeds: [:])
    #expect(
      Numerics.maxRelativeError(try #require(planned.loss), try #require(reference.loss)) < 1e-12)
    for (x, y) in zip(planned.gradients, reference.gradients) {
      #expect(Numerics.maxRelativeError(x, y) < 1e-12)
    }
  }
}

/// A value the element type cannot hold is an error that says what is wrong and in which
/// precision; which flag chooses another is the command line's business, not the runtime's.
@Suite struct UnrepresentableValueTests {
  static let program = "input x\noutput y = x * 1e39\n"

  @Test func aConstantF32CannotHoldIsAnErrorValue() throws {
    let graph = try Programs.compile(Self.program, differentiate: false, optimize: false)
    let leaves = try LeafValues(graph, feeds: ["x": Tensor(2)], seed: 0)
    #expect(throws: Never.self) { try Plan<Double>(graph, leaves: leaves) }
    do {
      _ = try Plan<Float>(graph, leaves: leaves)
      Issue.record("1e39 planned in f32")
    } catch {
      #expect(error.unrepresentableIn == .f32)
      #expect(error.message == "the constant 1e+39 is too large for f32")
      #expect(error.location?.start.line == 2)
    }
  }

  @Test func aDataValueF32CannotHoldIsAnErrorValue() throws {
    let graph = try Programs.compile("input x\noutput y = x * 2\n", differentiate: false)
    let leaves = try LeafValues(graph, feeds: ["x": Tensor(1e39)], seed: 0)
    do {
      _ = try Plan<Float>(graph, leaves: leaves)
      Issue.record("1e39 written to f32")
    } catch {
      #expect(error.unrepresentableIn == .f32)
      #expect(error.message == "the value 1e+39 of 'x' is too large for f32")
    }
  }

  @Test func precisionsNameTheirElementTypes() {
    #expect(Float.precision == .f32 && Double.precision == .f64)
    #expect(Precision.allCases.map(\.description) == ["f32", "f64"])
  }
}
