import FFCIR

/// Warns about numerically unstable patterns that no rewrite removed (it runs after Stabilize):
/// the logarithm of a value that can be 0 or negative (log1p of one that can be -1 or less), a division by a value that can be 0, a
/// square root of a value that can be 0 on the way to the loss (its derivative is infinite
/// there), and an exp of a value that can pass 88.7, where f32 overflows to inf. What a value can
/// be comes from the ops' own range rules (`Graph.valueRanges`): a positive constant, exp,
/// softplus, sigmoid and softmax are positive, tanh and sigmoid are bounded, z − max(z) is at
/// most 0, and so on through sums and products. The driver drops the warnings of a line that
/// carries the comment `# ffc: allow`.
public struct UnstableLint: Pass {
  public let name = "lint"

  public init() {}

  /// log(Float.greatestFiniteMagnitude): exp of anything larger is inf in f32.
  static let largestExpArgument = 88.72

  public func run(_ graph: Graph, _ context: inout PassContext) throws(PassFailure) -> Graph {
    let ranges = graph.valueRanges()
    let onPath = graph.loss.map {
      ReverseMode.nodesBetween(graph.declarations.map(\.node), and: $0.node, in: graph.nodes)
    }
    // Nodes a rewrite left dead (the exp of a log(1 + exp(x)) that became softplus) are not run.
    let live = graph.liveNodes()
    for (index, node) in graph.nodes.enumerated() where !node.isGradient && live[index] {
      guard
        let warning = Self.warning(
          for: node, inputs: node.inputs.map { ranges[$0.index] }, onPath: onPath?[index] == true)
      else { continue }
      context.warn(Diagnostic(.warning, id: warning.id, warning.message, at: node.location))
    }
    return graph
  }

  static func warning(for node: Node, inputs: [ValueRange], onPath: Bool) -> (
    id: String, message: String
  )? {
    if node.op === Op.log, !inputs[0].isPositive {
      return (
        "lint.log",
        "the logarithm of a value that can be 0 or negative gives -inf or NaN, and its gradient divides by it"
      )
    }
    // log(1 + x) is log1p(x) by now (Stabilize ran first), so its argument is 1 + x.
    if node.op === Op.log1p, !(inputs[0] + ValueRange(1, 1)).isPositive {
      return (
        "lint.log",
        "log1p of a value that can be -1 or less gives -inf or NaN, and its gradient divides by 1 + x"
      )
    }
    if node.op === Op.div, inputs[1].canBeZero {
      return (
        "lint.division",
        "a division by a value that can be 0 gives inf or NaN, in the value and in its gradient"
      )
    }
    if node.op === Op.sqrt, !inputs[0].isPositive, onPath {
      return (
        "lint.sqrt",
        "the square root of a value that can be 0 has an infinite derivative there; the gradient becomes inf or NaN"
      )
    }
    if node.op === Op.exp, inputs[0].upper > largestExpArgument {
      return (
        "lint.exp",
        "exp of a value that can exceed 88.7 overflows to inf in f32 (and its gradient with it); subtract the maximum first, or use softmax, log_softmax, softplus or sigmoid"
      )
    }
    return nil
  }
}
