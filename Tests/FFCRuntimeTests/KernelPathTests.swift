import FFCDriver
import FFCIR
import FFCPasses
import FFCRuntime
import FFCTestSupport
import Testing

/// Every kernel path this machine supports (`FFC_ISA`'s choices: AVX-512, AVX2, the baseline)
/// runs the compiled plans, fused as `ffc` runs them, and agrees with the f64 reference
/// evaluator: packed products of odd shapes (both operands transposed in the backward pass), the
/// vectorised tanh, fused loops, reductions and losses.
@Suite struct KernelPathTests {
  static let paths = KernelISA.allCases.filter(\.isSupported)

  /// A tanh MLP whose products are large enough to be packed (37 × 29 × 41 multiply-adds and
  /// more) with widths no tile divides.
  @Test(arguments: [(3, 41, 37), (2, 67, 29)])
  func anOddMLPOnEveryPath(depth: Int, width: Int, batch: Int) throws {
    let text = MLPGenerator.program(depth: depth, width: width)
    let graph = try Programs.compile(text, differentiate: true)
    var rng = SplitMix64(seed: UInt64(width))
    let feeds = ["X", "Y"].reduce(into: [String: Tensor]()) { feeds, name in
      feeds[name] = Tensor(
        shape: [batch, width], scalars: (0..<batch * width).map { _ in rng.uniform(-1, 1) })
    }
    try Self.compare(graph, feeds: feeds, "mlp \(depth)x\(width) batch \(batch)")
  }

  @Test(arguments: [3, 17, 42])
  func randomNetworksOnEveryPath(seed: UInt64) throws {
    let network = RandomNetwork(seed: seed)
    let graph = try Programs.compile(network.text, differentiate: true)
    try Self.compare(graph, feeds: network.feeds, network.description, seed: seed)
  }

  /// sigmoid, softplus, exp and log, sums, means and maxima along rows and columns (the bias
  /// gradients' column sums among them) and softmax cross-entropy, on odd shapes, in both
  /// precisions on every path.
  @Test(arguments: [33, 7])
  func reductionsActivationsAndLossesOnEveryPath(batch: Int) throws {
    let text = """
      input X[N, 37]
      label k[N]
      target t[N, 5]
      param W[37, 41] = uniform(-1, 1)
      param b[41] = 0.1
      param U[41, 7] = uniform(-1, 1)
      param V[41, 5] = uniform(-1, 1)
      H = sigmoid(X @ W + b)
      S = softplus(X @ W - b)
      m = max(H, axis=1)
      c = sum(S, axis=0)
      r = mean(S * H, axis=1)
      o = (H + S) @ U
      output r
      loss L = softmax_cross_entropy(o, k) + mean((S @ V - t)^2) + sum(c) * 0.001 + mean(m) + mean(log(H + 1)) + mean(exp(-S)) + sum(log_softmax(o))
      """
    let graph = try Programs.compile(text, differentiate: true)
    var rng = SplitMix64(seed: UInt64(batch))
    let feeds: [String: Tensor] = [
      "X": Tensor(shape: [batch, 37], scalars: (0..<batch * 37).map { _ in rng.uniform(-2, 2) }),
      "k": Tensor(shape: [batch], scalars: (0..<batch).map { Double($0 % 7) }),
      "t": Tensor(shape: [batch, 5], scalars: (0..<batch * 5).map { _ in rng.uniform(-1, 1) }),
    ]
    try Self.compare(graph, feeds: feeds, "activations batch \(batch)")
  }

  /// The fused plan on each path in f64 and f32 against the reference, each value within the
  /// rounding of its precision.
  static func compare(
    _ graph: Graph, feeds: [String: Tensor], _ label: String, seed: UInt64 = 0
  ) throws {
    let fused = try Pipeline.execution().run(graph).graph
    let all = { (r: (outputs: [Tensor], loss: Tensor?, gradients: [Tensor])) in
      r.outputs + r.gradients + [r.loss].compactMap { $0 }
    }
    let reference = all(try Programs.evaluate(graph, feeds: feeds, seed: seed))
    for isa in paths {
      try Compute.$isaOverride.withValue(isa) {
        let f64 = all(try Interpreter.roots(fused, feeds: feeds, seed: seed, as: Double.self))
        let f32 = all(try Interpreter.roots(fused, feeds: feeds, seed: seed, as: Float.self))
        #expect(f64.count == reference.count && f32.count == reference.count)
        for (x, y) in zip(f64, reference) {
          #expect(Numerics.maxRelativeError(x, y) < 1e-10, "\(label) \(isa) f64")
        }
        for (x, y) in zip(f32, reference) {
          #expect(Numerics.maxRelativeError(x, y) < 1e-3, "\(label) \(isa) f32")
        }
      }
    }
  }
}
