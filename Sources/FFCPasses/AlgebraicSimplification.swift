import FFCIR

/// Applies the local rewrites that each op owns (`x*1 -> x`, `transpose(transpose(x)) -> x`,
/// transpose folding into matmul...) plus the rules shared by all elementwise binary ops. Every
/// firing is counted under the rule's name.
public struct AlgebraicSimplification: Pass {
  public let name = "algebraic-simplification"
  /// What the last run saw: a fixed point's later rounds try the rules only around changes.
  let memo = RewriteMemo()

  public init() {}

  /// Rules that hold for any elementwise binary op.
  public static let elementwiseRules: [RewriteRule] = [
    // A scalar broadcast only to be combined elementwise is the scalar itself.
    RewriteRule(
      "f(x, broadcast_to(s)) -> f(x, s)",
      example: "input X[N, 2]\nparam w[2] = [1, 2]\nloss L = mean(sum((X * w)^2, axis=1))\n"
    ) { r in
      let (a, b) = (r.inputs[0], r.inputs[1])
      if b.op === Op.broadcastTo, a.shape == r.node.shape {
        let s = r.builder.value(b.node.inputs[0])
        if s.rank == 0 { return r.builder.apply(r.node.op, [a, s], r.node.attributes) }
      }
      if a.op === Op.broadcastTo, b.shape == r.node.shape {
        let s = r.builder.value(a.node.inputs[0])
        if s.rank == 0 { return r.builder.apply(r.node.op, [s, b], r.node.attributes) }
      }
      return nil
    },
    // Combining a broadcast scalar with a scalar is a scalar operation, broadcast afterwards.
    RewriteRule(
      "f(broadcast_to(s), t) -> broadcast_to(f(s, t))",
      example: "input X[N, 2]\nparam w[2] = [1, 2]\nloss L = mean(sum((X * w)^2, axis=1))\n"
    ) { r in
      let (a, b) = (r.inputs[0], r.inputs[1])
      if a.op === Op.broadcastTo, b.rank == 0 {
        let s = r.builder.value(a.node.inputs[0])
        if s.rank == 0 {
          return r.builder.apply(r.node.op, [s, b], r.node.attributes).broadcast(to: r.node.shape)
        }
      }
      if b.op === Op.broadcastTo, a.rank == 0 {
        let s = r.builder.value(b.node.inputs[0])
        if s.rank == 0 {
          return r.builder.apply(r.node.op, [a, s], r.node.attributes).broadcast(to: r.node.shape)
        }
      }
      return nil
    },
  ]

  public func run(_ graph: Graph, _ context: inout PassContext) throws(PassFailure) -> Graph {
    // Made once per op, not per node (`RewriteEngine.RulesByOp`).
    var rulesOfOp = RewriteEngine.RulesByOp { op in
      op.rewrites.filter { $0.phase == .simplify }
        + (op.isElementwise && op.arity == 2 ? Self.elementwiseRules : [])
    }
    return try RewriteEngine.run(graph, pass: name, &context, memo: memo) { node in
      rulesOfOp.rules(of: node.op)
    }
  }
}
