import FFCIR
import FFCPasses
import FFCRuntime
import FFCTestSupport
import Testing

/// Plain SGD done by the products of the weight gradients (`UpdateFusion`, `ProductUpdate`)
/// against the optimizer's pass after the run: the same bits when k (the batch) fits one block
/// of the packed product, within rounding when it takes several; only the gradients it may take;
/// every kernel path this machine supports, f32 and f64, with and without weight decay.
@Suite struct UpdateFusionTests {
  static let paths = KernelISA.allCases.filter(\.isSupported)

  /// Three weight matrices whose gradients are products (fused) and two biases whose gradients
  /// are sums (left to the optimizer); a ReLU layer, so a product reading W2 (the input gradient
  /// of layer 2) runs at its mask's place, after W2's gradient in the graph's order.
  static func program(inputs: Int, width: Int) -> String {
    """
    input X[N, \(inputs)]
    label k[N]
    param W1[\(inputs), \(width)] = uniform(-1, 1)
    param b1[\(width)] = uniform(-0.5, 0.5)
    param W2[\(width), \(width + 3)] = uniform(-0.3, 0.3)
    param W3[\(width + 3), 3] = uniform(-1, 1)
    param b3[3] = uniform(-0.5, 0.5)
    H1 = relu(X @ W1 + b1)
    H2 = relu(H1 @ W2)
    o = H2 @ W3 + b3
    loss L = softmax_cross_entropy(o, k)
    """
  }

  static func feeds(batch: Int, inputs: Int) -> [String: Tensor] {
    var rng = SplitMix64(seed: UInt64(batch * 31 + inputs))
    let x = (0..<batch * inputs).map { _ in rng.uniform(-2, 2) }
    return [
      "X": Tensor(shape: [batch, inputs], scalars: x),
      "k": Tensor(shape: [batch], scalars: (0..<batch).map { Double($0 % 3) }),
    ]
  }

  /// The parameters after one step, in the gradients' order: the plan moves those it fuses (with
  /// `fused`), the optimizer the others after the run; and how many the plan fused.
  static func step<T: PlanScalar>(
    _: T.Type, _ graph: Graph, _ feeds: [String: Tensor], fused: Bool, decay: Double,
    keep: [NodeID] = []
  ) throws -> (values: [[T]], fused: Int) {
    let settings = OptimizerSettings(kind: .sgd, learningRate: 0.05, weightDecay: decay)
    let optimizer = Optimizer<T>(settings, counts: graph.gradients.map { _ in 0 })
    let updates = optimizer.fusableStep.map { step in
      ParameterUpdates(
        parameters: graph.gradients.map { (graph.parameter(of: $0).node, $0.node) },
        rate: step.rate, decay: step.decay)
    }
    let leaves = try LeafValues(graph, feeds: feeds, seed: 7)
    let plan = try Plan<T>(
      graph, bindings: leaves.bindings, keep: keep, updates: fused ? updates : nil)
    for (declaration, value) in leaves.values { try plan.set(value, for: declaration) }
    plan.run()
    let stepped = graph.gradients.filter { !plan.fusesUpdate(of: $0.node) }
    optimizer.step(
      parameters: stepped.map { plan.buffer(of: graph.parameter(of: $0).node) },
      gradients: stepped.map { UnsafePointer(plan.buffer(of: $0.node)) },
      counts: stepped.map { plan.count(of: graph.parameter(of: $0).node) })
    let values = graph.gradients.map { gradient in
      let node = graph.parameter(of: gradient).node
      return Array(UnsafeBufferPointer(start: plan.buffer(of: node), count: plan.count(of: node)))
    }
    return (values, plan.statistics.updates)
  }

  /// (batch, inputs, width): packed on one thread (37 × 41 × 29); split over two threads (67 ×
  /// 600 × 61, above `GEMMBlocking`'s 2^21 multiply-adds); the plain loops (batch 1, and a tiny
  /// net); odd edges (130 × 97 × 133). k is the batch: one block of k, so the same bits.
  @Test(arguments: [(37, 41, 29), (67, 600, 61), (1, 41, 29), (3, 5, 7), (130, 97, 133)])
  func oneBlockOfKGivesTheBitsOfTheOptimizer(batch: Int, inputs: Int, width: Int) throws {
    let graph = try Programs.compile(Self.program(inputs: inputs, width: width))
    let fused = try Pipeline.execution().run(graph).graph
    let feeds = Self.feeds(batch: batch, inputs: inputs)
    for isa in Self.paths {
      try Compute.$isaOverride.withValue(isa) {
        for decay in [0, 0.1] {
          let label = "\(isa) \(batch)×\(inputs)×\(width) decay \(decay)"
          try Self.compare(Float.self, fused, feeds, decay: decay, label)
          try Self.compare(Double.self, fused, feeds, decay: decay, label)
        }
      }
    }
  }

  static func compare<T: PlanScalar>(
    _: T.Type, _ graph: Graph, _ feeds: [String: Tensor], decay: Double, _ label: String
  ) throws {
    let apart = try step(T.self, graph, feeds, fused: false, decay: decay)
    let fused = try step(T.self, graph, feeds, fused: true, decay: decay)
    #expect(apart.fused == 0 && fused.fused == 3, "\(label) \(T.self)")
    #expect(fused.values == apart.values, "\(label) \(T.self)")
  }

  /// A batch of 1100 takes three blocks of k (at most 512 each): the first moves θ with the
  /// decay, the others add their partial products, so the sum is rounded in another order. The
  /// change of θ then differs by a few units in its last place, far below a step.
  @Test func severalBlocksOfKDifferOnlyByRounding() throws {
    let graph = try Pipeline.execution().run(
      try Programs.compile(Self.program(inputs: 23, width: 19))
    ).graph
    let feeds = Self.feeds(batch: 1100, inputs: 23)
    for isa in Self.paths {
      try Compute.$isaOverride.withValue(isa) {
        try Self.near(Float.self, graph, feeds, tolerance: 1e-6, "\(isa)")
        try Self.near(Double.self, graph, feeds, tolerance: 1e-14, "\(isa)")
      }
    }
  }

  static func near<T: PlanScalar>(
    _: T.Type, _ graph: Graph, _ feeds: [String: Tensor], tolerance: Double, _ label: String
  ) throws {
    for decay in [0, 0.1] {
      let apart = try step(T.self, graph, feeds, fused: false, decay: decay)
      let fused = try step(T.self, graph, feeds, fused: true, decay: decay)
      #expect(fused.fused == 3)
      for (a, b) in zip(apart.values, fused.values) {
        let scale = a.map { Double(abs($0)) }.max() ?? 1
        let worst = zip(a, b).map { Double(abs($0 - $1)) }.max() ?? 0
        #expect(worst <= tolerance * scale, "\(label) \(T.self) decay \(decay): \(worst)")
      }
    }
  }

  /// Only a gradient nothing else reads, computed by a product of the parameter's shape from
  /// operands that are not parameters being updated.
  @Test func onlyTheGradientsItMayTake() throws {
    let graph = try Pipeline.execution().run(
      try Programs.compile(Self.program(inputs: 41, width: 29))
    ).graph
    let feeds = Self.feeds(batch: 37, inputs: 41)
    // Kept (a metric or a trace reads it): not fused.
    let w2 = try #require(graph.gradients.first { graph.parameter(of: $0).name == "W2" })
    #expect(
      try Self.step(Float.self, graph, feeds, fused: true, decay: 0, keep: [w2.node]).fused == 2)
    // Every value kept (--trace): none.
    let leaves = try LeafValues(graph, feeds: feeds, seed: 7)
    let all = ParameterUpdates<Float>(
      parameters: graph.gradients.map { (graph.parameter(of: $0).node, $0.node) }, rate: 0.1,
      decay: 0)
    #expect(
      try Plan<Float>(graph, bindings: leaves.bindings, keepAll: true, updates: all)
        .statistics.updates == 0)

    // A weight used twice: its gradient is a sum of two products.
    let shared = try Pipeline.execution().run(
      try Programs.compile(
        """
        input X[N, 12]
        target y[N, 12]
        param W[12, 12] = uniform(-1, 1)
        H = tanh(X @ W)
        loss L = mean((H @ W - y)^2)
        """)
    ).graph
    let sharedFeeds: [String: Tensor] = [
      "X": Tensor(shape: [64, 12], scalars: (0..<768).map { Double($0 % 7) / 7 }),
      "y": Tensor(shape: [64, 12], scalars: (0..<768).map { Double($0 % 5) / 5 }),
    ]
    let sharedStep = try Self.step(Double.self, shared, sharedFeeds, fused: true, decay: 0)
    #expect(sharedStep.fused == 0)

    // A product of two parameters: each one's gradient reads the other, which would move
    // first; neither is fused, and the values are the optimizer's.
    let pair = try Pipeline.execution().run(
      try Programs.compile(
        """
        target y[40, 50]
        param A[40, 30] = uniform(-1, 1)
        param B[30, 50] = uniform(-1, 1)
        loss L = mean((A @ B - y)^2)
        """)
    ).graph
    let pairFeeds = ["y": Tensor(shape: [40, 50], scalars: (0..<2000).map { Double($0 % 9) })]
    let fusedPair = try Self.step(Double.self, pair, pairFeeds, fused: true, decay: 0)
    let apartPair = try Self.step(Double.self, pair, pairFeeds, fused: false, decay: 0)
    #expect(fusedPair.fused == 0 && fusedPair.values == apartPair.values)
  }

  /// A weight used transposed (`X @ W.T`, PyTorch's layout): the transpose of its gradient's
  /// product is simplified into the product dZᵀ·X of W's shape, so W's update is fused as V's
  /// is, and the values are the optimizer's.
  @Test func aTransposedWeightGetsTheOptimizersValues() throws {
    let graph = try Pipeline.execution().run(
      try Programs.compile(
        """
        input X[N, 37]
        label k[N]
        param W[29, 37] = uniform(-1, 1)
        param V[29, 3] = uniform(-1, 1)
        loss L = softmax_cross_entropy(tanh(X @ W.T) @ V, k)
        """)
    ).graph
    let feeds = Self.feeds(batch: 41, inputs: 37)
    for isa in Self.paths {
      try Compute.$isaOverride.withValue(isa) {
        let fused = try Self.step(Float.self, graph, feeds, fused: true, decay: 0.1)
        let apart = try Self.step(Float.self, graph, feeds, fused: false, decay: 0.1)
        #expect(fused.fused == 2 && fused.values == apart.values, "\(isa): \(fused.fused) fused")
      }
    }
  }

  /// A plan that cannot be made (a constant too large for f32) is an error, fused updates or
  /// not.
  @Test func aPlanThatCannotBeMadeIsAnError() throws {
    let graph = try Pipeline.execution().run(
      try Programs.compile(
        """
        input X[N, 30]
        target y[N, 20]
        param W[30, 20] = uniform(-1, 1)
        loss L = mean((X @ W - y)^2) * 1e39
        """)
    ).graph
    let updates = ParameterUpdates<Float>(
      parameters: graph.gradients.map { (graph.parameter(of: $0).node, $0.node) }, rate: 0.1,
      decay: 0)
    #expect(throws: EvaluationError.self) {
      _ = try Plan<Float>(graph, bindings: ["N": 40], updates: updates)
    }
    let f64 = try Plan<Double>(
      graph, bindings: ["N": 40],
      updates: ParameterUpdates(parameters: updates.parameters, rate: 0.1, decay: 0))
    #expect(f64.statistics.updates == 1)
  }

  /// The fused plan needs no buffer for a fused gradient: its peak memory drops by about the
  /// weights' size.
  @Test func theGradientsTakeNoMemory() throws {
    let graph = try Pipeline.execution().run(
      try Programs.compile(Self.program(inputs: 300, width: 200))
    ).graph
    let leaves = try LeafValues(graph, feeds: Self.feeds(batch: 8, inputs: 300), seed: 7)
    let updates = ParameterUpdates<Float>(
      parameters: graph.gradients.map { (graph.parameter(of: $0).node, $0.node) }, rate: 0.1,
      decay: 0)
    let apart = try Plan<Float>(graph, bindings: leaves.bindings).statistics
    let fused = try Plan<Float>(graph, bindings: leaves.bindings, updates: updates).statistics
    let weights = (300 * 200 + 200 * 203 + 203 * 3) * 4
    #expect(fused.updates == 3)
    #expect(apart.peakBytes - fused.peakBytes >= weights, "\(apart.peakBytes) \(fused.peakBytes)")
  }
}

/// Training with fused updates against training with every update in the optimizer
/// (`TrainingSettings.fusesUpdates`): the same bits for mini-batches of one block of k, at every
/// batch size (a plan per size, the last batch smaller), f32 and f64, with weight decay, over a
/// checkpoint and resume; and a loss that stops being finite leaves the last good values.
@Suite struct TrainingUpdateFusionTests {
  static let program = UpdateFusionTests.program(inputs: 11, width: 23)

  static func rows(_ graph: Graph, count: Int) throws -> TrainingRows {
    let x = try #require(graph.declarations.firstIndex { $0.name == "X" })
    let k = try #require(graph.declarations.firstIndex { $0.name == "k" })
    var rng = SplitMix64(seed: 11)
    let values = (0..<count * 11).map { _ in rng.uniform(-2, 2) }
    return TrainingRows(
      count: count,
      columns: [
        .init(declaration: x, exampleShape: [11], batchAxis: 0, values: values),
        .init(
          declaration: k, exampleShape: [], batchAxis: 0,
          values: (0..<count).map { Double($0 * 7 % 3) }),
      ], fixed: [:])
  }

  static func trainer<T: PlanScalar>(
    _: T.Type, _ graph: Graph, batch: Int?, decay: Double, fused: Bool, epochs: Int = 3
  ) throws -> Trainer<T> {
    try Trainer<T>(
      gradientGraph: graph, initial: [:],
      settings: TrainingSettings(
        epochs: epochs, batchSize: batch, seed: 5,
        optimizer: OptimizerSettings(kind: .sgd, learningRate: 0.05, weightDecay: decay),
        fusesUpdates: fused))
  }

  static func values<T: PlanScalar>(_ trainer: Trainer<T>) -> [[Double]] {
    trainer.currentValues().map { $0.tensor().scalars }
  }

  @Test(arguments: [1, 7, 16, 40, 64])
  func trainsToTheSameBits(batch: Int) throws {
    let graph = try Programs.compile(Self.program, differentiate: true)
    let rows = try Self.rows(graph, count: 40)
    for isa in UpdateFusionTests.paths {
      try Compute.$isaOverride.withValue(isa) {
        for decay in [0, 0.01] {
          try Self.same(Float.self, graph, rows, batch: batch, decay: decay, "\(isa)")
          try Self.same(Double.self, graph, rows, batch: batch, decay: decay, "\(isa)")
        }
      }
    }
  }

  static func same<T: PlanScalar>(
    _: T.Type, _ graph: Graph, _ rows: TrainingRows, batch: Int, decay: Double, _ label: String
  ) throws {
    let fused = try trainer(T.self, graph, batch: batch, decay: decay, fused: true)
    let apart = try trainer(T.self, graph, batch: batch, decay: decay, fused: false)
    let a = try fused.train(rows, validation: rows, onEpoch: { _ in }, shouldStop: { false })
    let b = try apart.train(rows, validation: rows, onEpoch: { _ in }, shouldStop: { false })
    let context = "\(label) \(T.self) batch \(batch) decay \(decay)"
    #expect(Self.values(fused) == Self.values(apart), "\(context)")
    #expect(a.epochs.map(\.trainingLoss) == b.epochs.map(\.trainingLoss), "\(context)")
    // A batch of 1 row: the products of W1 and W3 are below the packed size and go through the
    // plain loops, fused all the same.
    let counts = fused.planStatistics.map(\.updates)
    #expect(counts.contains(3) && apart.planStatistics.allSatisfy { $0.updates == 0 }, "\(context)")
  }

  /// Momentum and Adam keep state per parameter: nothing is fused.
  @Test func onlyPlainSGD() throws {
    let graph = try Programs.compile(Self.program, differentiate: true)
    let rows = try Self.rows(graph, count: 20)
    for kind in [OptimizerKind.momentum(0.9), .adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8)] {
      let trainer = try Trainer<Float>(
        gradientGraph: graph, initial: [:],
        settings: TrainingSettings(
          epochs: 1, batchSize: 8, seed: 5,
          optimizer: OptimizerSettings(kind: kind, learningRate: 0.01)))
      _ = try trainer.train(rows, validation: nil, onEpoch: { _ in }, shouldStop: { false })
      #expect(trainer.planStatistics.allSatisfy { $0.updates == 0 })
    }
  }

  /// A per-example program (`x[11]`, run once per row, its gradients summed over the mini-batch)
  /// keeps every update in the optimizer.
  @Test func notPerExample() throws {
    let graph = try Programs.compile(
      """
      input x[11]
      label k
      param W[11, 5] = uniform(-1, 1)
      param V[5, 3] = uniform(-1, 1)
      loss L = softmax_cross_entropy(tanh(x @ W) @ V, k)
      """, differentiate: true)
    let x = try #require(graph.declarations.firstIndex { $0.name == "x" })
    let k = try #require(graph.declarations.firstIndex { $0.name == "k" })
    let rows = TrainingRows(
      count: 12,
      columns: [
        .init(
          declaration: x, exampleShape: [11], batchAxis: nil,
          values: (0..<132).map { Double($0 % 7) / 7 }),
        .init(
          declaration: k, exampleShape: [], batchAxis: nil,
          values: (0..<12).map { Double($0 % 3) }),
      ], fixed: [:])
    let fused = try Self.trainer(Float.self, graph, batch: 4, decay: 0, fused: true)
    let apart = try Self.trainer(Float.self, graph, batch: 4, decay: 0, fused: false)
    _ = try fused.train(rows, validation: nil, onEpoch: { _ in }, shouldStop: { false })
    _ = try apart.train(rows, validation: nil, onEpoch: { _ in }, shouldStop: { false })
    #expect(fused.planStatistics.allSatisfy { $0.updates == 0 })
    #expect(Self.values(fused) == Self.values(apart))
  }

  /// A run stopped and resumed from its checkpoint ends where an unfused run straight through
  /// does.
  @Test func resumesToTheSameBits() throws {
    let graph = try Programs.compile(Self.program, differentiate: true)
    let rows = try Self.rows(graph, count: 30)
    let first = try Self.trainer(Float.self, graph, batch: 8, decay: 0.01, fused: true, epochs: 1)
    _ = try first.train(rows, validation: nil, onEpoch: { _ in }, shouldStop: { false })
    let snapshot = try first.snapshot()
    let second = try Self.trainer(Float.self, graph, batch: 8, decay: 0.01, fused: true)
    #expect(second.restore(snapshot, rows: rows.count) == nil)
    _ = try second.train(rows, validation: nil, onEpoch: { _ in }, shouldStop: { false })
    let straight = try Self.trainer(Float.self, graph, batch: 8, decay: 0.01, fused: false)
    _ = try straight.train(rows, validation: nil, onEpoch: { _ in }, shouldStop: { false })
    #expect(Self.values(second) == Self.values(straight))
  }

  /// A NaN in a row's target: the loss of its mini-batch is not finite, training stops there,
  /// and the parameters are the last good ones, as when the optimizer steps them (a fused
  /// product that moved them anyway would leave NaNs in W2 and W3, whose gradients the NaN
  /// reaches).
  @Test func aLossThatIsNotFiniteLeavesTheLastGoodValues() throws {
    let graph = try Programs.compile(
      """
      input X[N, 11]
      target y[N, 3]
      param W1[11, 23] = uniform(-1, 1)
      param b1[23] = uniform(-0.5, 0.5)
      param W2[23, 26] = uniform(-0.3, 0.3)
      param W3[26, 3] = uniform(-1, 1)
      H1 = tanh(X @ W1 + b1)
      H2 = relu(H1 @ W2)
      loss L = mean((H2 @ W3 - y)^2)
      """, differentiate: true)
    func rows() throws -> TrainingRows {
      let x = try #require(graph.declarations.firstIndex { $0.name == "X" })
      let y = try #require(graph.declarations.firstIndex { $0.name == "y" })
      var targets = (0..<24 * 3).map { Double($0 % 5) / 5 }
      targets[4] = .nan
      return TrainingRows(
        count: 24,
        columns: [
          .init(
            declaration: x, exampleShape: [11], batchAxis: 0,
            values: (0..<24 * 11).map { Double($0 % 13) / 13 - 0.5 }),
          .init(declaration: y, exampleShape: [3], batchAxis: 0, values: targets),
        ], fixed: [:])
    }
    for fused in [true, false] {
      let rows = try rows()
      let trainer = try Self.trainer(Double.self, graph, batch: 8, decay: 0.01, fused: fused)
      #expect {
        _ = try trainer.train(rows, validation: nil, onEpoch: { _ in }, shouldStop: { false })
      } throws: { error in
        guard case .nonFinite(1, let step, _)? = error as? TrainingFailure else { return false }
        return step >= 1
      }
      let values = Self.values(trainer)
      #expect(values.allSatisfy { $0.allSatisfy(\.isFinite) }, "fused \(fused)")
      if fused { #expect(trainer.planStatistics.contains { $0.updates == 3 }) }
    }
    // The same step on both paths, the same values.
    let rows = try rows()
    let a = try Self.trainer(Double.self, graph, batch: 8, decay: 0.01, fused: true)
    let b = try Self.trainer(Double.self, graph, batch: 8, decay: 0.01, fused: false)
    _ = try? a.train(rows, validation: nil, onEpoch: { _ in }, shouldStop: { false })
    _ = try? b.train(rows, validation: nil, onEpoch: { _ in }, shouldStop: { false })
    #expect(Self.values(a) == Self.values(b))
  }
}
