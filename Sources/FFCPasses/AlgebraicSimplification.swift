import FFCIR

/// Applies the local rewrites that each op owns (`x*1 -> x`, `transpose(transpose(x)) -> x`,
/// transpose folding into matmul...) plus the rules shared by all elementwise binary ops. Every
/// firing is counted under the rule's name.
public struct AlgebraicSimplification: Pass {
  public let name = "algebraic-simplification"

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
    var rulesOfOp: [ObjectIdentifier: [RewriteRule]] = [:]  // made once per op, not per node
    return try RewriteEngine.run(graph, pass: name, &context) { node in
      if let rules = rulesOfOp[ObjectIdentifier(node.op)] { return rules }
      let rules =
        node.op.rewrites.filter { $0.phase == .simplify }
        + (node.op.isElementwise && node.op.arity == 2 ? Self.elementwiseRules : [])
      rulesOfOp[ObjectIdentifier(node.op)] = rules
      return rules
    }
  }
}

/// Rewrites the forward graph into numerically stable forms before it is differentiated:
/// log(softmax(z)) into log_softmax(z), log(1 + exp(x)) into softplus(x), log σ(x) into
/// −softplus(−x) and log(1 − σ(x)) into −softplus(x). The rules are the ops' own, in the
/// stabilize phase.
public struct Stabilize: Pass {
  public let name = "stabilize"

  public init() {}

  public func run(_ graph: Graph, _ context: inout PassContext) throws(PassFailure) -> Graph {
    try RewriteEngine.run(graph, pass: name, &context) { node in
      node.op.rewrites.filter { $0.phase == .stabilize }
    }
  }
}

/// Applies local rules in one rebuild of the graph: for each node, the first rule that matches
/// replaces it. Every firing is counted and recorded, and a rule that builds an ill-shaped node
/// or changes the shape is an internal error naming it.
enum RewriteEngine {
  static func run(
    _ graph: Graph, pass: String, _ context: inout PassContext, rules: (Node) -> [RewriteRule]
  ) throws(PassFailure) -> Graph {
    var fired: [String: Int] = [:]
    var events: [RewriteEvent] = []
    let uses = liveUses(graph)
    let result: Graph
    do {
      result = try graph.rebuiltWithIndex { index, node, inputs, builder in
        let candidates = rules(node)
        guard !candidates.isEmpty else { return nil }
        let rewrite = RewriteContext(
          node: node, inputs: inputs.map(builder.value), builder: builder,
          inputUses: node.inputs.map { uses[$0.index] })
        for rule in candidates {
          guard let replacement = rule.apply(rewrite) else { continue }
          if let failure = builder.clearFailure() {
            throw PassFailure.internal(
              pass: pass,
              message: "rule '\(rule.name)' built an ill-shaped node: \(failure.message)")
          }
          guard replacement.shape == node.shape else {
            throw PassFailure.internal(
              pass: pass,
              message: "rule '\(rule.name)' changed shape \(node.shape) to \(replacement.shape)")
          }
          // A rule that rebuilt the very node it matched changed nothing: not a firing (else a
          // fixed point would run to its budget).
          let rebuilt = replacement.node
          if rebuilt.op === node.op && rebuilt.inputs == inputs
            && rebuilt.attributes == node.attributes
          {
            return nil
          }
          fired[rule.name, default: 0] += 1
          events.append(
            RewriteEvent(
              pass: pass, rule: rule.name, location: node.location,
              before: describe(node.op, rewrite.inputs, builder),
              after: replacement.node.name.map { "%" + $0 }
                ?? describe(replacement.op, replacement.node.inputs.map(builder.value), builder),
              original: NodeID(index),
              replacement: replacement.id))
          return replacement.id
        }
        return nil
      }
    } catch let failure as PassFailure {
      throw failure
    } catch {
      throw .internal(pass: pass, message: "\(error)")
    }
    for (key, n) in fired.sorted(by: { $0.key < $1.key }) { context.count(key, by: n) }
    for event in events { context.record(event) }
    return result
  }

  /// How many live nodes and roots read each node. Dead readers (a derivative Differentiate built
  /// for a constant operand, say, which DCE removes later) do not count, or they would keep a rule
  /// that needs an input to itself from firing.
  static func liveUses(_ graph: Graph) -> [Int] {
    let live = graph.liveNodes()
    var uses = [Int](repeating: 0, count: graph.nodes.count)
    for (index, node) in graph.nodes.enumerated() where live[index] {
      for input in node.inputs { uses[input.index] += 1 }
    }
    for root in graph.roots { uses[root.index] += 1 }
    return uses
  }

  /// `log(softmax(%o))`: the op applied to its operands, shown three levels deep (a fixed depth:
  /// operands below that print as `…`).
  static func describe(_ op: Op, _ operands: [Value], _ builder: GraphBuilder, depth: Int = 3)
    -> String
  {
    let shown = operands.map { value -> String in
      if let constant = value.node.constantValue, constant.isScalar {
        return TensorFormat.number(constant.scalars[0])
      }
      if let name = value.node.name { return "%" + name }
      if depth <= 1 { return value.op.name + "(…)" }
      return describe(value.op, value.node.inputs.map(builder.value), builder, depth: depth - 1)
    }
    return op.name + "(" + shown.joined(separator: ", ") + ")"
  }
}
