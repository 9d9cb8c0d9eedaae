import FFCIR

/// `ffc check`: the symbolic gradient of the loss against central finite differences, element by
/// element, in f64. Each element gets a verdict (`FiniteDifference`): it agrees when a step gives
/// a difference within the tolerance of the symbolic value, relative to max(1, |symbolic|,
/// |numeric|); kinks, jumps and unreliable differences (round-off, overflow, the edge of a
/// domain) are counted as such; only a real disagreement fails the parameter.
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
    public let verdict: FiniteDifference.Verdict
  }

  public struct Parameter: Sendable {
    public let name: String
    public let shape: [Int]
    public let checked: Int
    /// The largest errors among the elements that agree or disagree (kinks, jumps and unreliable
    /// differences have no meaningful error).
    public let maxAbsoluteError: Double
    public let maxRelativeError: Double
    /// The elements that are not plain agreements, in index order.
    public let notable: [Element]
    /// The line of a function's stated derivative (not declared exact) that the parameter's
    /// gradient passes through: such a parameter is not compared (finite differences see the
    /// forward expression, not the stated derivative) and counts as neither pass nor failure.
    public var statedDerivativeLine: Int? = nil
    public var failures: [Element] { notable.filter { $0.verdict == .disagrees } }
    public var kinks: Int { count(.kink) }
    public var jumps: Int { count(.jump) }
    public var unreliable: Int { count(.unreliable) }
    public var passed: Bool { failures.isEmpty }

    func count(_ verdict: FiniteDifference.Verdict) -> Int {
      notable.lazy.filter { $0.verdict == verdict }.count
    }
  }

  /// Checks every gradient of `graph` (which Differentiate has run on) at the values `leaves`
  /// gives. `forward`, the graph before differentiation: when it holds `stop_gradient`, the
  /// differences probe its loss with the values under each `stop_gradient` held at the point
  /// checked, as the derivative sees them (the optimised graph has dropped the op).
  /// `external` gives data leaves the caller's memory as their buffers (`Plan`'s), which the
  /// check only reads.
  public static func run(
    _ graph: Graph, leaves: LeafValues, settings: Settings, forward: Graph? = nil,
    external: [NodeID: UnsafeMutablePointer<Double>] = [:]
  ) throws(EvaluationError) -> [Parameter] {
    let plan = try Plan<Double>(graph, leaves: leaves, external: external)
    plan.run()
    guard let lossNode = graph.loss?.node else { return [] }
    let (probe, probedLoss) = try probePlan(forward, leaves) ?? (plan, lossNode)
    let gradients = graph.gradients.map { plan.value(of: $0.node) }
    var rng = SplitMix64(seed: settings.seed ^ 0xC4EC)
    var report: [Parameter] = []
    let source = forward ?? graph
    for (gradient, symbolic) in zip(graph.gradients, gradients) {
      let declaration = graph.parameter(of: gradient)
      if let line = statedDerivativeLine(named: declaration.name, in: source) {
        report.append(
          Parameter(
            name: declaration.name, shape: symbolic.shape, checked: 0, maxAbsoluteError: 0,
            maxRelativeError: 0, notable: [], statedDerivativeLine: line))
        continue
      }
      let probed = probe.graph.declarations.first { $0.name == declaration.name }?.node
      let buffer = probe.buffer(of: probed ?? declaration.node)
      let count = plan.count(of: declaration.node)
      func loss(_ i: Int, _ shift: Double, _ base: Double) -> Double {
        buffer[i] = base + shift
        probe.run()
        return probe.buffer(of: probedLoss)[0]
      }
      let center = probe.buffer(of: probedLoss)[0]
      var (worstAbsolute, worstRelative) = (0.0, 0.0)
      var notable: [Element] = []
      let indices =
        count <= settings.maxElements ? Array(0..<count) : sample(count, settings.maxElements, &rng)
      for i in indices {
        let base = buffer[i]
        let g = symbolic.scalars[i]
        let probe = FiniteDifference(
          symbolic: g, base: base, center: center, epsilon: settings.epsilon,
          tolerance: settings.tolerance
        ) { shift in loss(i, shift, base) }
        buffer[i] = base
        if probe.verdict == .agrees || probe.verdict == .disagrees, probe.numeric.isFinite {
          let error = Swift.abs(g - probe.numeric)
          worstAbsolute = Swift.max(worstAbsolute, error.isNaN ? .infinity : error)
          // Relative to the larger of the two, where that is not itself below the tolerance (two
          // values that are both about zero have no meaningful ratio; their absolute error says
          // it).
          let magnitude = Swift.max(Swift.abs(g), Swift.abs(probe.numeric))
          if magnitude > settings.tolerance {
            worstRelative = Swift.max(worstRelative, error / magnitude)
          }
        }
        if probe.verdict != .agrees {
          notable.append(
            Element(
              index: multiIndex(i, symbolic.shape), symbolic: g, numeric: probe.numeric,
              verdict: probe.verdict))
        }
      }
      plan.run()
      report.append(
        Parameter(
          name: declaration.name, shape: symbolic.shape, checked: indices.count,
          maxAbsoluteError: worstAbsolute,
          maxRelativeError: worstRelative, notable: notable))
    }
    return report
  }

  /// A plan of `forward` with the values under its `stop_gradient` nodes computed once at
  /// `leaves` and then frozen, and its loss node; nil when it holds none (or has no loss).
  static func probePlan(_ forward: Graph?, _ leaves: LeafValues) throws(EvaluationError)
    -> (Plan<Double>, NodeID)?
  {
    guard let forward, let loss = forward.loss?.node else { return nil }
    let stopped = forward.nodes.indices.filter { forward.nodes[$0].op === Op.stopGradient }
      .map { NodeID($0) }
    guard !stopped.isEmpty else { return nil }
    let plan = try Plan<Double>(forward, bindings: leaves.bindings, keep: stopped)
    for (declaration, value) in leaves.values {
      guard let same = forward.declarations.first(where: { $0.name == declaration.name }) else {
        continue
      }
      try plan.set(value, for: same)
    }
    for (declaration, value) in leaves.stored {
      guard let same = forward.declarations.first(where: { $0.name == declaration.name }) else {
        continue
      }
      try Plan.fill(plan.buffer(of: same.node), from: value, for: same)
    }
    plan.run()
    plan.freeze(stopped)
    return (plan, loss)
  }

  /// The line of the first function's derivative, stated and not declared exact, between the
  /// parameter `name` and the loss of `graph`; nil when there is none.
  static func statedDerivativeLine(named name: String, in graph: Graph) -> Int? {
    guard let loss = graph.loss?.node,
      let parameter = graph.declarations.first(where: { $0.name == name })?.node
    else { return nil }
    return statedDerivativeLine(from: [parameter], to: loss, in: graph.nodes)
  }

  /// The line of the first function's derivative, stated and not declared exact
  /// (`custom_vjp`), that lies between `sources` and `target`.
  public static func statedDerivativeLine(
    from sources: [NodeID], to target: NodeID, in nodes: [Node]
  ) -> Int? {
    let between = ReverseMode.nodesBetween(sources, and: target, in: nodes)
    for (index, node) in nodes.enumerated() where between[index] {
      if let derivative = node.attributes.customDerivative, !derivative.exact {
        return derivative.line
      }
    }
    return nil
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
