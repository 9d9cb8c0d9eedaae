import FFCIR

/// `ffc check` on the program's own derivative values: every `jvp`, `jacobian` and `hessian`
/// against finite differences of the forward graph in f64. The value differentiated with respect
/// to is moved (a leaf written, an intermediate value overridden, as the transformations take it
/// as an independent input) and the values under `stop_gradient` are held still:
/// - jvp(y, W, V): (y(W + hV) − y(W − hV)) / 2h;
/// - jacobian(y, W): the same along each basis direction of W (at most `maxElements`);
/// - hessian(f, θ): second central differences of f, (f(+i+j) − f(+i−j) − f(−i+j) + f(−i−j)) / 4h².
public enum DerivativeCheck {
  public struct Row: Sendable {
    public let label: String
    public let shape: [Int]
    public let checked: Int
    public let maxAbsoluteError: Double
    public let maxRelativeError: Double
    public let passed: Bool
    /// Not compared: the value passes through a function's stated derivative at this line.
    public var statedDerivativeLine: Int? = nil
  }

  public static func run(
    _ forward: Graph, sites: [DerivativeSite], leaves: LeafValues,
    settings: GradientCheck.Settings
  ) throws(EvaluationError) -> [Row] {
    guard !sites.isEmpty else { return [] }
    let plan = try Plan<Double>(forward, bindings: leaves.bindings, keepAll: true)
    for (declaration, value) in leaves.values { try plan.set(value, for: declaration) }
    for (declaration, value) in leaves.stored {
      try Plan.fill(plan.buffer(of: declaration.node), from: value, for: declaration)
    }
    plan.run()
    let stopped = forward.nodes.indices.filter { forward.nodes[$0].op === Op.stopGradient }
    plan.freeze(stopped.map { NodeID($0) })
    return sites.map { site in
      if let line = GradientCheck.statedDerivativeLine(
        from: site.wrt, to: site.of, in: forward.nodes)
      {
        return Row(
          label: "\(site.kind.rawValue) (\(site.text))", shape: plan.value(of: site.result).shape,
          checked: 0, maxAbsoluteError: 0, maxRelativeError: 0, passed: true,
          statedDerivativeLine: line)
      }
      return check(site, plan, settings)
    }
  }

  static func check(
    _ site: DerivativeSite, _ plan: Plan<Double>, _ settings: GradientCheck.Settings
  )
    -> Row
  {
    let symbolic = plan.value(of: site.result)
    let bases = site.wrt.map { plan.value(of: $0).scalars }
    /// The value of `node` with each variable moved by `shifts` (one list per variable).
    func probe(_ node: NodeID, _ shifts: [[Double]]) -> [Double] {
      for (index, variable) in site.wrt.enumerated() {
        plan.override(variable, with: zip(bases[index], shifts[index]).map { $0 + $1 })
      }
      plan.run()
      let value = plan.value(of: node).scalars
      for variable in site.wrt { plan.restore(variable) }
      return value
    }
    func step(_ values: [Double], _ base: Double) -> Double {
      base * Swift.max(1, values.map(Swift.abs).max() ?? 0)
    }
    var numeric = [Double](repeating: .nan, count: symbolic.count)
    var compared: [Int] = []
    switch site.kind {
    case .jvp:
      let direction = site.direction.map { plan.value(of: $0).scalars } ?? []
      let h = step(bases[0], settings.epsilon)
      let up = probe(site.of, [direction.map { h * $0 }])
      let down = probe(site.of, [direction.map { -h * $0 }])
      numeric = zip(up, down).map { ($0 - $1) / (2 * h) }
      compared = Array(numeric.indices)
    case .jacobian:
      let n = bases[0].count
      let h = step(bases[0], settings.epsilon)
      for j in 0..<Swift.min(n, settings.maxElements) {
        var shift = [Double](repeating: 0, count: n)
        shift[j] = h
        let up = probe(site.of, [shift])
        shift[j] = -h
        let down = probe(site.of, [shift])
        for (i, pair) in zip(up, down).enumerated() {
          numeric[i * n + j] = (pair.0 - pair.1) / (2 * h)
          compared.append(i * n + j)
        }
      }
    case .hessian:
      let sizes = bases.map(\.count)
      let n = sizes.reduce(0, +)
      let h = step(bases.flatMap { $0 }, 1e-4)
      func shifted(_ moves: [(Int, Double)]) -> Double {
        var shifts = sizes.map { [Double](repeating: 0, count: $0) }
        for (flat, amount) in moves {
          var (variable, offset) = (0, flat)
          while offset >= sizes[variable] {
            offset -= sizes[variable]
            variable += 1
          }
          shifts[variable][offset] += amount
        }
        return probe(site.of, shifts).first ?? .nan
      }
      for i in 0..<n {
        for j in i..<n where compared.count < settings.maxElements {
          let value =
            (shifted([(i, h), (j, h)]) - shifted([(i, h), (j, -h)])
              - shifted([(i, -h), (j, h)]) + shifted([(i, -h), (j, -h)])) / (4 * h * h)
          numeric[i * n + j] = value
          numeric[j * n + i] = value
          compared.append(i * n + j)
          if i != j { compared.append(j * n + i) }
        }
      }
    }
    plan.run()
    var (worstAbsolute, worstRelative, passed) = (0.0, 0.0, true)
    for index in compared {
      let (g, d) = (symbolic.scalars[index], numeric[index])
      let error = Swift.abs(g - d)
      guard error.isFinite else {
        passed = passed && g.isNaN == d.isNaN && g == d
        continue
      }
      worstAbsolute = Swift.max(worstAbsolute, error)
      let magnitude = Swift.max(Swift.abs(g), Swift.abs(d))
      if magnitude > settings.tolerance {
        worstRelative = Swift.max(worstRelative, error / magnitude)
      }
      if error > settings.tolerance * Swift.max(1, magnitude) { passed = false }
    }
    return Row(
      label: "\(site.kind.rawValue) (\(site.text))", shape: symbolic.shape,
      checked: compared.count, maxAbsoluteError: worstAbsolute, maxRelativeError: worstRelative,
      passed: passed)
  }
}
