import FFCFrontend
import FFCIR
import FFCPasses
import FFCRuntime
import FFCTestSupport
import Testing

/// The update rules against steps worked by hand.
@Suite struct OptimizerTests {
  func steps(_ kind: OptimizerKind, rate: Double, decay: Double = 0, count: Int) -> [Double] {
    let optimizer = Optimizer<Double>(
      OptimizerSettings(kind: kind, learningRate: rate, weightDecay: decay), counts: [2])
    let theta = UnsafeMutablePointer<Double>.allocate(capacity: 2)
    let g = UnsafeMutablePointer<Double>.allocate(capacity: 2)
    defer {
      theta.deallocate()
      g.deallocate()
    }
    theta[0] = 1
    theta[1] = -2
    g[0] = 0.5
    g[1] = 0.1
    for _ in 0..<count {
      optimizer.step(parameters: [theta], gradients: [UnsafePointer(g)], counts: [2])
    }
    return [theta[0], theta[1]]
  }

  @Test func sgd() {
    #expect(steps(.sgd, rate: 0.1, count: 1) == [1 - 0.05, -2 - 0.01])
    // Weight decay adds λθ to the gradient: 0.5 + 0.5·1 and 0.1 + 0.5·(−2).
    #expect(steps(.sgd, rate: 0.1, decay: 0.5, count: 1) == [1 - 0.1 * 1.0, -2 - 0.1 * -0.9])
  }

  @Test func momentum() {
    // v₁ = g, v₂ = 0.9g + g = 1.9g: θ moves by 0.1g, then by 0.19g.
    let two = steps(.momentum(0.9), rate: 0.1, count: 2)
    #expect(abs(two[0] - (1 - 0.1 * 0.5 - 0.19 * 0.5)) < 1e-15)
    #expect(abs(two[1] - (-2 - 0.1 * 0.1 - 0.19 * 0.1)) < 1e-15)
  }

  @Test func adam() {
    // With bias correction m̂ = g and v̂ = g² at every step of a constant gradient, so each step
    // moves θ by lr · g / (|g| + ε) ≈ lr · sign(g).
    let three = steps(.adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8), rate: 0.1, count: 3)
    #expect(abs(three[0] - (1 - 0.3)) < 1e-7)
    #expect(abs(three[1] - (-2 - 0.3)) < 1e-6)
  }
}

@Suite struct TrainerTests {
  static let xorPoints = Tensor(shape: [4, 2], scalars: [0, 0, 0, 1, 1, 0, 1, 1])
  static let xorTargets = Tensor(shape: [4], scalars: [0, 1, 1, 0])

  func xorRows(_ graph: Graph) throws -> TrainingRows {
    let x = try #require(graph.declarations.firstIndex { $0.name == "X" })
    let y = try #require(graph.declarations.firstIndex { $0.name == "y" })
    return TrainingRows(
      count: 4,
      columns: [
        .init(declaration: x, exampleShape: [2], batchAxis: 0, values: Self.xorPoints.scalars),
        .init(declaration: y, exampleShape: [], batchAxis: 0, values: Self.xorTargets.scalars),
      ],
      fixed: [:])
  }

  func trainXOR(seed: UInt64, epochs: Int = 2000) throws -> (TrainingResult, Graph) {
    let text = Repository.read("samples/xor.ffn")
    let gradient = try Programs.compile(text, differentiate: true)
    let forward = try Programs.compile(text, differentiate: false)
    var initial: [String: Tensor] = [:]
    for declaration in gradient.parameters {
      initial[declaration.name] = try LeafValues.value(of: declaration, [:], seed: seed)
    }
    let trainer = try Trainer<Float>(
      gradientGraph: gradient, initial: initial,
      settings: TrainingSettings(
        epochs: epochs, batchSize: nil, seed: seed,
        optimizer: OptimizerSettings(kind: .sgd, learningRate: 0.1)))
    return (
      try trainer.train(
        xorRows(gradient), validation: nil, onEpoch: { _ in }, shouldStop: { false }), forward
    )
  }

  @Test func learnsXORFromARandomStart() throws {
    let (result, forward) = try trainXOR(seed: 1)
    var feeds = ["X": Self.xorPoints, "y": Self.xorTargets]
    for parameter in result.parameters { feeds[parameter.name] = parameter.value.tensor() }
    let f = try Interpreter.roots(forward, feeds: feeds, as: Double.self).outputs[0]
    for (output, target) in zip(f.scalars, Self.xorTargets.scalars) {
      #expect(abs(output - target) < 0.1, "\(f.scalars)")
    }
    #expect(result.epochs.count == 2000 && !result.interrupted)
  }

  @Test func theSameSeedGivesTheSameResultBitForBit() throws {
    let a = try trainXOR(seed: 3, epochs: 50).0.parameters
    let b = try trainXOR(seed: 3, epochs: 50).0.parameters
    let c = try trainXOR(seed: 4, epochs: 50).0.parameters
    #expect(a.map { $0.value.tensor() } == b.map { $0.value.tensor() })
    #expect(a.map { $0.value.tensor() } != c.map { $0.value.tensor() })
  }

  @Test func aLossThatBlowsUpStopsWithItsEpochAndStep() throws {
    let text =
      "input X[N]\ntarget y[N]\nparam w = 1\nh = exp(X * w * 50)\nloss L = mean((h - y)^2)\n"
    let gradient = try Programs.compile(text, differentiate: true)
    let rows = TrainingRows(
      count: 2,
      columns: [
        .init(
          declaration: 0, exampleShape: [], batchAxis: 0, values: [1, 2]),
        .init(
          declaration: 1, exampleShape: [], batchAxis: 0, values: [0, 1]),
      ], fixed: [:])
    let trainer = try Trainer<Float>(
      gradientGraph: gradient, initial: ["w": Tensor(1)],
      settings: TrainingSettings(
        epochs: 3, batchSize: nil, seed: 0,
        optimizer: OptimizerSettings(kind: .sgd, learningRate: 10), checkNumerics: true))
    #expect {
      _ = try trainer.train(rows, validation: nil, onEpoch: { _ in }, shouldStop: { false })
    } throws: { error in
      guard case .nonFinite(let epoch, let step, let node)? = error as? TrainingFailure else {
        return false
      }
      return epoch == 1 && step == 1 && node.map { gradient[$0].op === Op.exp } == true
    }
  }

  @Test func stopsWhenAsked() throws {
    let text = Repository.read("samples/xor.ffn")
    let gradient = try Programs.compile(text, differentiate: true)
    let trainer = try Trainer<Float>(
      gradientGraph: gradient, initial: [:],
      settings: TrainingSettings(
        epochs: 100, batchSize: 1, seed: 0,
        optimizer: OptimizerSettings(kind: .sgd, learningRate: 0.1)))
    var steps = 0
    let result = try trainer.train(
      xorRows(gradient), validation: nil, onEpoch: { _ in },
      shouldStop: {
        steps += 1
        return steps == 6
      })
    #expect(result.interrupted && result.epochs.count == 1)
  }
}

/// The gradient check must catch a wrong rule and pass a right one.
@Suite struct GradientCheckTests {
  static let wrongSquare = TestOps.wrongSquare

  func check(_ op: Op) throws -> [GradientCheck.Parameter] {
    let sample = try #require(op.samples.first { $0.inputs == [[3]] })
    let probe = try FiniteDifferences.probeGraph(
      op, sample, weights: Tensor(shape: [3], scalars: [1, -0.5, 2]))
    let graph = try Pipeline.standard(differentiate: true, optimize: true).run(probe).graph
    let feeds = ["x0": Tensor(shape: [3], scalars: [0.7, -1.3, 0.4])]
    return try GradientCheck.run(
      graph, leaves: LeafValues(graph, feeds: feeds, seed: 0), settings: .init())
  }

  @Test func aWrongRuleFails() throws {
    let report = try check(Self.wrongSquare)
    #expect(report.count == 1 && !report[0].passed && report[0].failures.count == 3)
  }

  @Test func theRightRulePasses() throws {
    let report = try check(Op.square)
    #expect(report.count == 1 && report[0].passed && report[0].maxAbsoluteError < 1e-8)
  }

  @Test func aKinkIsReportedAsSuch() throws {
    let graph = try Programs.compile(
      "param x[2] = [0, 1]\nloss L = sum(relu(x))\n", differentiate: true)
    let report = try GradientCheck.run(
      graph, leaves: LeafValues(graph, feeds: [:], seed: 0), settings: .init())
    #expect(report[0].passed && report[0].kinks == 1)
  }
}

/// The saved program computes exactly what the trained model in memory does.
@Suite struct SaveRoundTripTests {
  @Test func savedValuesGiveTheSameOutputsBitForBit() throws {
    let text = Repository.read("samples/iris.ffn")
    let gradient = try Programs.compile(text, differentiate: true)
    let forward = try Programs.compile(text, differentiate: false)
    var rng = SplitMix64(seed: 9)
    let x = Tensor(shape: [6, 4], scalars: (0..<24).map { _ in rng.uniform(0, 7) })
    let y = Tensor(shape: [6], scalars: [0, 1, 2, 0, 1, 2])
    let rows = TrainingRows(
      count: 6,
      columns: [
        .init(
          declaration: 0, exampleShape: [4], batchAxis: 0, values: x.scalars),
        .init(
          declaration: 1, exampleShape: [], batchAxis: 0, values: y.scalars),
      ], fixed: [:])
    let trainer = try Trainer<Float>(
      gradientGraph: gradient, initial: [:],
      settings: TrainingSettings(
        epochs: 5, batchSize: 2, seed: 2,
        optimizer: OptimizerSettings(
          kind: .adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8), learningRate: 0.01)))
    let learned = try trainer.train(rows, validation: nil, onEpoch: { _ in }, shouldStop: { false })
      .parameters
    var feeds: [String: Tensor] = ["X": x, "y": y]
    for parameter in learned { feeds[parameter.name] = parameter.value.tensor() }
    let inMemory = try Interpreter.roots(forward, feeds: feeds, as: Float.self)

    let saved = try ProgramWriter.withParameterValues(
      SourceFile(path: "iris.ffn", text: text),
      values: learned.map { ($0.name, $0.value.tensor()) },
      precision: .f32, note: "test"
    )
    let reloaded = try Programs.compile(saved, differentiate: false)
    let fromFile = try Interpreter.roots(reloaded, feeds: ["X": x, "y": y], as: Float.self)
    #expect(fromFile.outputs == inMemory.outputs)
    #expect(fromFile.loss == inMemory.loss)
  }
}

/// A parameter given with the data (`--set W=...`) is a starting value only: making a new plan
/// (here for the last, smaller batch) must not write it back over what training learned.
@Suite struct FixedParameterTests {
  @Test func aGivenParameterDoesNotResetTraining() throws {
    let text = Repository.read("samples/xor.ffn")
    let gradient = try Programs.compile(text, differentiate: true)
    let start = Tensor(shape: [2, 4], scalars: [0.5, -0.3, 0.8, 0.1, -0.6, 0.9, 0.2, -0.4])
    func train(fixed: [String: Tensor]) throws -> [Tensor] {
      let x = try #require(gradient.declarations.firstIndex { $0.name == "X" })
      let y = try #require(gradient.declarations.firstIndex { $0.name == "y" })
      let rows = TrainingRows(
        count: 4,
        columns: [
          .init(declaration: x, exampleShape: [2], batchAxis: 0, values: [0, 0, 0, 1, 1, 0, 1, 1]),
          .init(declaration: y, exampleShape: [], batchAxis: 0, values: [0, 1, 1, 0]),
        ], fixed: fixed)
      let trainer = try Trainer<Double>(
        gradientGraph: gradient, initial: ["W": start],
        settings: TrainingSettings(
          epochs: 2, batchSize: 3, seed: 5,
          optimizer: OptimizerSettings(kind: .sgd, learningRate: 0.1)))
      return try trainer.train(rows, validation: rows, onEpoch: { _ in }, shouldStop: { false })
        .parameters.map { $0.value.tensor() }
    }
    #expect(try train(fixed: ["W": start]) == train(fixed: [:]))
  }
}
