import FFCIR
import FFCPasses
import FFCRuntime
import FFCTestSupport
import Testing

/// Randomly generated networks (seeded): every gradient the plan interpreter computes from the
/// symbolic gradient graph agrees with central finite differences of the loss, and the optimizer
/// changes no value.
@Suite struct RandomNetworkTests {
  static let seeds: [UInt64] = Array(1...60)

  /// JAX's dot-product test per parameter: ⟨t, ∇θ L⟩ against (L(θ + εt) − L(θ − εt)) / 2ε, for a
  /// random direction t. Where the two step sizes ε and ε/10 disagree, the loss has a kink
  /// (relu, abs) next to θ and the point is skipped: finite differences do not apply there.
  @Test(arguments: seeds)
  func gradientsMatchFiniteDifferences(seed: UInt64) throws {
    let network = RandomNetwork(seed: seed)
    let graph = try Programs.compile(network.text, differentiate: true)
    let leaves = try LeafValues(graph, feeds: network.feeds, seed: seed)
    let plan = try Plan<Double>(graph, leaves: leaves)
    plan.run()
    let gradients = plan.roots().gradients
    var rng = SplitMix64(seed: seed)
    var checked = 0
    for (index, gradient) in graph.gradients.enumerated() {
      let declaration = graph.parameter(of: gradient)
      guard
        let base = leaves.values.first(where: { $0.declaration.node == declaration.node })?.value
      else { continue }
      let direction = base.map { _ in rng.uniform(-1, 1) }
      let symbolic = zip(direction.scalars, gradients[index].scalars).reduce(0) { $0 + $1.0 * $1.1 }
      func slope(_ epsilon: Double) -> Double {
        plan.write(base.zip(direction) { $0 + epsilon * $1 }, to: declaration.node)
        plan.run()
        let up = plan.roots().loss?.scalars[0] ?? .nan
        plan.write(base.zip(direction) { $0 - epsilon * $1 }, to: declaration.node)
        plan.run()
        let down = plan.roots().loss?.scalars[0] ?? .nan
        plan.write(base, to: declaration.node)
        return (up - down) / (2 * epsilon)
      }
      let (coarse, fine) = (slope(1e-5), slope(1e-6))
      guard abs(coarse - fine) <= 1e-5 * max(1, abs(coarse)) else { continue }
      checked += 1
      let error = abs(symbolic - coarse) / max(1e-8, abs(symbolic) + abs(coarse))
      #expect(
        error < 1e-6,
        "\(network.description), parameter \(declaration.name): symbolic \(symbolic), numeric \(coarse)\n\(network.text)"
      )
    }
    #expect(checked > 0, "\(network.description): no parameter was smooth enough to check")
  }

  /// -O0 and the default pipeline give the same outputs, loss and gradients.
  @Test(arguments: seeds)
  func optimizerPreservesValues(seed: UInt64) throws {
    let network = RandomNetwork(seed: seed)
    let optimized = try Programs.compile(network.text, differentiate: true, optimize: true)
    let plain = try Programs.compile(network.text, differentiate: true, optimize: false)
    let a = try Interpreter.roots(optimized, feeds: network.feeds, seed: seed, as: Double.self)
    let b = try Interpreter.roots(plain, feeds: network.feeds, seed: seed, as: Double.self)
    for (x, y) in zip(
      a.outputs + a.gradients + [a.loss].compactMap { $0 },
      b.outputs + b.gradients + [b.loss].compactMap { $0 })
    {
      #expect(Numerics.maxRelativeError(x, y) < 1e-12, "\(network.description)")
    }
  }
}

/// The samples too: -O0 and -O1 agree on random data, in the plan and in the reference evaluator.
@Suite struct SampleOptimizationTests {
  @Test(arguments: Repository.sampleFiles())
  func optimizerPreservesValues(file: String) throws {
    let text = Repository.read("samples/" + file)
    let optimized = try Programs.compile(text, differentiate: true, optimize: true)
    let plain = try Programs.compile(text, differentiate: true, optimize: false)
    var rng = SplitMix64(seed: 7)
    var feeds: [String: Tensor] = [:]
    for declaration in plain.declarations
    where declaration.kind != .param && declaration.kind != .const {
      let shape = declaration.shape.dims.map { $0.value ?? 5 }
      let isLabel = declaration.kind == .label
      feeds[declaration.name] = Tensor(
        shape: shape,
        scalars: (0..<shape.reduce(1, *)).map { _ in
          isLabel ? Double(rng.next() % 2) : rng.uniform(-1, 1)
        })
    }
    let a = try Interpreter.roots(optimized, feeds: feeds, as: Double.self)
    let b = try Interpreter.roots(plain, feeds: feeds, as: Double.self)
    let reference = try ReferenceEvaluator().roots(optimized, feeds: feeds)
    let all = { (r: (outputs: [Tensor], loss: Tensor?, gradients: [Tensor])) in
      r.outputs + r.gradients + [r.loss].compactMap { $0 }
    }
    for (x, y) in zip(all(a), all(b)) {
      #expect(Numerics.maxRelativeError(x, y) < 1e-12, "\(file)")
    }
    for (x, y) in zip(all(a), all(reference)) {
      #expect(Numerics.maxRelativeError(x, y) < 1e-12, "\(file)")
    }
  }
}
