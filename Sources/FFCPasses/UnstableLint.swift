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
    let ranges = graph.valueRanges()
    let onPath = graph.loss.map {
      ReverseMode.nodesBetween(graph.declarations.map(\.node), and: $0.node, in: graph.nodes)
    }
    // Nodes a rewrite left dead (the exp of a log(1 + exp(x)) that became softplus) are not run.
    let live = graph.liveNodes()
    for (index, node) in graph.nodes.enumerated() where !node.isGradient && live[index] {
      guard let rule = node.op.lint,
        let warning = rule(node.inputs.map { ranges[$0.index] }, onPath?[index] == true)
      else { continue }
      context.warn(Diagnostic(.warning, id: warning.id, warning.message, at: node.location))
    }
    return graph
  }

}
