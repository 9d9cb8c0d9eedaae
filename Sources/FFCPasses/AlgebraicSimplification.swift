import FFCIR

/// Applies the local rewrites that each op owns (`x*1 -> x`, `transpose(transpose(x)) -> x`,
/// transpose folding into matmul...) plus the rules shared by all elementwise binary ops. Every
/// firing is counted under the rule's name.
public struct AlgebraicSimplification: Pass {
  public let name = "algebraic-simplification"

  public init() {}

  /// Rules that hold for any elementwise binary op.
  static let elementwiseRules: [RewriteRule] = [
    // A scalar broadcast only to be combined elementwise is the scalar itself.
    RewriteRule("f(x, broadcast_to(s)) -> f(x, s)") { r in
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
    }
  ]

  public func run(_ graph: Graph, _ context: inout PassContext) throws(PassFailure) -> Graph {
    var fired: [String: Int] = [:]
    let result = try rebuilding(graph) {
      try graph.rebuilt { node, inputs, builder in
        let rules = (OpRegistry.rewritesByOp[node.op.name] ?? [])
          + (node.op.isElementwise && node.op.arity == 2 ? Self.elementwiseRules : [])
        guard !rules.isEmpty else { return nil }
        let rewrite = RewriteContext(node: node, inputs: inputs.map(builder.value), builder: builder)
        for rule in rules {
          guard let replacement = rule.apply(rewrite) else { continue }
          if let failure = builder.clearFailure() {
            throw PassFailure.internal(pass: name, message: "rule '\(rule.name)' built an ill-shaped node: \(failure.message)")
          }
          guard replacement.shape == node.shape else {
            throw PassFailure.internal(pass: name, message: "rule '\(rule.name)' changed shape \(node.shape) to \(replacement.shape)")
          }
          fired[rule.name, default: 0] += 1
          return replacement.id
        }
        return nil
      }
    }
    for (key, n) in fired.sorted(by: { $0.key < $1.key }) { context.count(key, by: n) }
    return result
  }
}
