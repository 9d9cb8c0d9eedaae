import FFCDriver
import FFCIR
import FFCPasses
import FFCRuntime
import FFCTestSupport
import Testing

/// A matrix product fused with its reader's bias and activation, or with the ReLU's derivative of
/// the backward pass (`EpilogueFusion`), gives the same bits as the two run apart, on every kernel path this machine supports, in f32 and f64: packed
/// products on one thread and split over two, odd shapes (edge tiles right and bottom), several
/// blocks of k (the epilogue only on the last), and plain-loop products (a batch of 1, tiny ones).
@Suite struct EpilogueFusionTests {
  static let paths = KernelISA.allCases.filter(\.isSupported)

  /// relu and bias-only layers (`X @ W + b`), and a relu without a bias: four products
  /// fused forward, and the ReLU masks of the backward pass.
  static func program(inputs: Int, width: Int) -> String {
    """
    input X[N, \(inputs)]
    label k[N]
    param W1[\(inputs), \(width)] = uniform(-1, 1)
    param b1[\(width)] = uniform(-1, 1)
    param W2[\(width), \(width + 2)] = uniform(-1, 1)
    param b2[\(width + 2)] = uniform(-1, 1)
    param W3[\(width + 2), \(width)] = uniform(-1, 1)
    param W4[\(width), 3] = uniform(-1, 1)
    param b4[3] = uniform(-1, 1)
    H1 = relu(X @ W1 + b1)
    H2 = relu(H1 @ W2 + b2)
    H3 = relu(H2 @ W3)
    o = H3 @ W4 + b4
    loss L = softmax_cross_entropy(o, k)
    """
  }

  /// (batch, inputs, width): 37 × 41 × 29 packed on one thread; 67 × 600 × 61 split over two
  /// threads (above `GEMMBlocking`'s 2^21 multiply-adds) with k longer than a block; batch 1 and
  /// a tiny layer through the plain loops.
  @Test(arguments: [(37, 41, 29), (67, 600, 61), (1, 41, 29), (3, 5, 7), (130, 97, 133)])
  func fusedRunGivesTheBitsOfTheStepsApart(batch: Int, inputs: Int, width: Int) throws {
    let graph = try Programs.compile(Self.program(inputs: inputs, width: width))
    let fused = try Pipeline.execution().run(graph).graph
    var rng = SplitMix64(seed: UInt64(batch * 1000 + width))
    // Zeros and negative zeros reach relu's kink.
    let x = (0..<batch * inputs).map { i in
      i % 7 == 0 ? (i % 2 == 0 ? 0.0 : -0.0) : rng.uniform(-4, 4)
    }
    let feeds: [String: Tensor] = [
      "X": Tensor(shape: [batch, inputs], scalars: x),
      "k": Tensor(shape: [batch], scalars: (0..<batch).map { Double($0 % 3) }),
    ]
    for isa in Self.paths {
      try Compute.$isaOverride.withValue(isa) {
        try Self.compare(Float.self, fused, feeds, "\(isa) f32 \(batch)×\(inputs)×\(width)")
        try Self.compare(Double.self, fused, feeds, "\(isa) f64 \(batch)×\(inputs)×\(width)")
      }
    }
  }

  static func compare<T: PlanScalar>(
    _: T.Type, _ graph: Graph, _ feeds: [String: Tensor], _ label: String
  ) throws {
    let plan = try Plan<T>(graph, leaves: LeafValues(graph, feeds: feeds, seed: 5))
    #expect(plan.statistics.epilogues == 7, "\(label)")
    plan.run()
    let fused = Self.bits(plan)
    plan.runApart()
    let apart = Self.bits(plan)
    let differing = zip(fused, apart).map { zip($0, $1).filter { $0 != $1 }.count }
    #expect(fused.map(\.count) == apart.map(\.count), "\(label)")
    #expect(differing.allSatisfy { $0 == 0 }, "\(label): values differing per root \(differing)")
    // A kept product is not fused: its value must be read after the run.
    let products = graph.nodes.indices.filter { graph.nodes[$0].op === Op.matmul }
    let kept = try Plan<T>(
      graph, bindings: ["N": feeds["X"]!.shape[0]], keep: products.map { NodeID($0) })
    #expect(kept.statistics.epilogues == 0, "\(label)")
  }

  /// Every root's value as bit patterns.
  static func bits<T: PlanScalar>(_ plan: Plan<T>) -> [[UInt64]] {
    let roots = plan.roots()
    return (roots.outputs + roots.gradients + [roots.loss].compactMap { $0 }).map {
      $0.scalars.map(\.bitPattern)
    }
  }
}
