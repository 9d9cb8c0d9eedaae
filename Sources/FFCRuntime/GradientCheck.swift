import FFCIR

/// `ffc check`: the symbolic gradient of the loss against central finite differences, element by
/// element, in f64. An element passes when |symbolic − numeric| ≤ tolerance · max(1, |symbolic|,
/// |numeric|). One that fails while the symbolic value equals one of the one-sided differences
/// sits on a kink (relu or abs at 0, hard_tanh at ±1), where the function has no derivative and
/// the rule picks a side: it is reported as a kink, not a failure.
public enum GradientCheck {
  public struct Settings: Sendable {
    public var epsilon: Double
    public var tolerance: Double
    /// At most this many elements per parameter are checked, picked with `seed` (all when fewer).
    public var maxElements: Int
    public var seed: UInt64

    public init(
      epsilon: Double = 1e-6, tolerance: Double = 1e-5, maxElements: Int = 1000, seed: UInt64 = 0
    ) {
      self.epsilon = epsilon
      self.tolerance = tolerance
      self.maxElements = maxElements
      self.seed = seed
    }
  }

  public struct Element: Sendable {
    public let index: [Int]
    public let symbolic: Double
    public let numeric: Double
  }

  public struct Parameter: Sendable {
    public let name: String
    public let shape: [Int]
    public let checked: Int
    public let maxAbsoluteError: Double
    public let maxRelativeError: Double
    public let kinks: Int
    public let failures: [Element]
    public var passed: Bool { failures.isEmpty }
  }

  /// Checks every gradient of `graph` (which Differentiate has run on) at the values `leaves`
  /// gives.
  public static func run(_ graph: Graph, leaves: LeafValues, settings: Settings)
    throws(EvaluationError) -> [Parameter]
  {
    let plan = try Plan<Double>(graph, leaves: leaves)
    plan.run()
    guard let lossNode = graph.loss?.node else { return [] }
    let gradients = graph.gradients.map { plan.value(of: $0.node) }
    var rng = SplitMix64(seed: settings.seed ^ 0xC4EC)
    var report: [Parameter] = []
    for (gradient, symbolic) in zip(graph.gradients, gradients) {
      let declaration = graph.parameter(of: gradient)
      let buffer = plan.buffer(of: declaration.node)
      let count = plan.count(of: declaration.node)
      func loss(_ i: Int, _ shift: Double, _ base: Double) -> Double {
        buffer[i] = base + shift
        plan.run()
        return plan.buffer(of: lossNode)[0]
      }
      let center = plan.buffer(of: lossNode)[0]
      var (worstAbsolute, worstRelative, kinks) = (0.0, 0.0, 0)
      var failures: [Element] = []
      let indices =
        count <= settings.maxElements ? Array(0..<count) : sample(count, settings.maxElements, &rng)
      for i in indices {
        let base = buffer[i]
        let eps = settings.epsilon * Swift.max(1, Swift.abs(base))
        let up = loss(i, eps, base)
        let down = loss(i, -eps, base)
        buffer[i] = base
        let numeric = (up - down) / (2 * eps)
        let g = symbolic.scalars[i]
        let error = Swift.abs(g - numeric)
        let scale = Swift.max(1, Swift.abs(g), Swift.abs(numeric))
        worstAbsolute = Swift.max(worstAbsolute, error)
        // Relative to the larger of the two, where that is not itself below the tolerance (two
        // values that are both about zero have no meaningful ratio; their absolute error says it).
        let magnitude = Swift.max(Swift.abs(g), Swift.abs(numeric))
        if magnitude > settings.tolerance {
          worstRelative = Swift.max(worstRelative, error / magnitude)
        }
        guard error > settings.tolerance * scale || !numeric.isFinite || !g.isFinite else {
          continue
        }
        let (right, left) = ((up - center) / eps, (center - down) / eps)
        let sided = Swift.min(Swift.abs(g - right), Swift.abs(g - left))
        if sided <= settings.tolerance * scale
          && Swift.abs(right - left) > settings.tolerance * scale
        {
          kinks += 1
        } else {
          failures.append(
            Element(index: multiIndex(i, symbolic.shape), symbolic: g, numeric: numeric))
        }
      }
      plan.run()
      report.append(
        Parameter(
          name: declaration.name, shape: symbolic.shape, checked: indices.count,
          maxAbsoluteError: worstAbsolute,
          maxRelativeError: worstRelative, kinks: kinks, failures: failures))
    }
    return report
  }

  static func sample(_ count: Int, _ k: Int, _ rng: inout SplitMix64) -> [Int] {
    var picked = Set<Int>()
    while picked.count < k { picked.insert(Int(rng.next() % UInt64(count))) }
    return picked.sorted()
  }

  static func multiIndex(_ flat: Int, _ shape: [Int]) -> [Int] {
    zip(rowMajorStrides(shape), shape).map { flat / $0 % Swift.max(1, $1) }
  }
}
