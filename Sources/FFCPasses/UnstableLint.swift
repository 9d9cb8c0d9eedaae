import FFCIR

/// Warns about numerically unstable patterns that no rewrite removed (it runs after Stabilize).
/// Each op's own lint rule (`Op.lint`) names its pattern: the logarithm of a value that can be 0
/// or negative (log1p of one that can be -1 or less), a division by a value that can be 0, a
/// square root of a value that can be 0 on the way to the loss (its derivative is infinite
/// there), an exp of a value that can pass 88.7, where f32 overflows to inf. What a value can be
/// comes from the ops' own range rules (`Graph.valueRanges`): a positive constant, exp, softplus,
/// sigmoid and softmax are positive, tanh and sigmoid are bounded, z − max(z) is at most 0, and
/// so on through sums and products. The driver drops the warnings of a line that carries the
/// comment `# ffc: allow`.
public struct UnstableLint: Pass {
  public let name = "lint"

  public init() {}

  public func run(_ graph: Graph, _ context: inout PassContext) throws(PassFailure) -> Graph {
    // Many networks (products, sums, tanh) hold no op that has a lint rule: then there is
    // nothing to warn about, and no value ranges to work out over the whole graph.
    guard graph.nodes.contains(where: { !$0.isGradient && $0.op.lint != nil }) else {
      return graph
    }
    let ranges = graph.valueRanges()
    let onPath = graph.loss.map {
      ReverseMode.nodesBetween(graph.declarations.map(\.node), and: $0.node, in: graph.nodes)
    }
    // Nodes a rewrite left dead (the exp of a log(1 + exp(x)) that became softplus) are not run.
    let live = graph.liveNodes()
    let guarded = Self.guardedBranches(graph, live: live)
    for (index, node) in graph.nodes.enumerated() where !node.isGradient && live[index] {
      guard let rule = node.op.lint else { continue }
      // An operand that is the condition of every selection reading this node is positive
      // wherever the node's value is used: where(x, sqrt(x), 0) takes sqrt(x) only where x > 0.
      let inputRanges = node.inputs.map { input in
        guarded[index].contains(input) ? ValueRange.positive : ranges[input.index]
      }
      guard let warning = rule(inputRanges, onPath?[index] == true) else { continue }
      context.warn(Diagnostic(.warning, id: warning.id, warning.message, at: node.location))
    }
    return graph
  }

  /// For each node read (outside the gradient) only as the taken branch of `where(c, node, b)`:
  /// the conditions `c` of those selections when they are all one value, so that value is
  /// positive wherever the node's result is used; empty otherwise.
  static func guardedBranches(_ graph: Graph, live: [Bool]) -> [[NodeID]] {
    var condition = [NodeID?](repeating: nil, count: graph.nodes.count)
    var unguarded = [Bool](repeating: false, count: graph.nodes.count)
    for (index, node) in graph.nodes.enumerated() where !node.isGradient && live[index] {
      for (position, input) in node.inputs.enumerated() {
        if node.op === Op.select && position == 1 && node.inputs[0] != input
          && (condition[input.index] == nil || condition[input.index] == node.inputs[0])
        {
          condition[input.index] = node.inputs[0]
        } else {
          unguarded[input.index] = true
        }
      }
    }
    for root in graph.roots where root.index < unguarded.count { unguarded[root.index] = true }
    return graph.nodes.indices.map { index in
      guard !unguarded[index], let c = condition[index] else { return [] }
      return [c]
    }
  }
}
