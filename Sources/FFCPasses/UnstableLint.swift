import FFCIR

/// Warns about numerically unstable patterns that no rewrite removed (it runs after Stabilize):
/// the logarithm of a value that can be 0 or negative, a division by a value that can be 0, and
/// a square root of a value that can be 0 on the way to the loss (its derivative is infinite
/// there). "Can be 0" means the value is not known positive by construction (a positive
/// constant, exp, softplus, sigmoid, softmax, a size, and sums and products of those). The
/// driver drops the warnings of a line that carries the comment `# ffc: allow`.
public struct UnstableLint: Pass {
  public let name = "lint"

  public init() {}

  enum Sign { case positive, nonnegative, unknown }

  public func run(_ graph: Graph, _ context: inout PassContext) throws(PassFailure) -> Graph {
    let signs = Self.signs(graph)
    let onPath = graph.loss.map { ReverseMode.nodesBetween(graph.declarations.map(\.node), and: $0.node, in: graph.nodes) }
    for (index, node) in graph.nodes.enumerated() where !node.isGradient {
      let inputSigns = node.inputs.map { signs[$0.index] }
      if node.op === Op.log, inputSigns[0] != .positive {
        context.warn(Diagnostic(.warning, id: "lint.log", "the logarithm of a value that can be 0 or negative gives -inf or NaN, and its gradient divides by it", at: node.location))
      } else if node.op === Op.div, inputSigns[1] != .positive, !Self.isNonzeroConstant(graph[node.inputs[1]]) {
        context.warn(Diagnostic(.warning, id: "lint.division", "a division by a value that can be 0 gives inf or NaN, in the value and in its gradient", at: node.location))
      } else if node.op === Op.sqrt, inputSigns[0] != .positive, onPath?[index] == true {
        context.warn(Diagnostic(.warning, id: "lint.sqrt", "the square root of a value that can be 0 has an infinite derivative there; the gradient becomes inf or NaN", at: node.location))
      }
    }
    return graph
  }

  static func isNonzeroConstant(_ node: Node) -> Bool {
    node.constantValue.map { value in value.scalars.allSatisfy { $0 != 0 && $0.isFinite } } ?? false
  }

  /// What is known of every node's sign, in one pass in order.
  static func signs(_ graph: Graph) -> [Sign] {
    var signs: [Sign] = []
    for node in graph.nodes {
      let inputs = node.inputs.map { signs[$0.index] }
      signs.append(sign(of: node, inputs, graph))
    }
    return signs
  }

  static func sign(of node: Node, _ inputs: [Sign], _ graph: Graph) -> Sign {
    if let value = node.constantValue {
      if value.scalars.allSatisfy({ $0 > 0 }) { return .positive }
      return value.scalars.allSatisfy { $0 >= 0 } ? .nonnegative : .unknown
    }
    let op = node.op
    if [Op.exp, Op.softplus, Op.sigmoid, Op.softmax, Op.size].contains(where: { $0 === op }) { return .positive }
    if [Op.square, Op.abs, Op.relu, Op.sqrt, Op.step].contains(where: { $0 === op }) { return .nonnegative }
    if [Op.broadcastTo, Op.reshape, Op.transpose, Op.index, Op.sum, Op.mean, Op.max].contains(where: { $0 === op }) {
      return inputs.first ?? .unknown
    }
    if op === Op.pow {
      if inputs[0] == .positive { return .positive }
      // x^2, x^4...: an even whole exponent.
      if let p = graph[node.inputs[1]].constantValue?.splatValue, p == p.rounded(), p.truncatingRemainder(dividingBy: 2) == 0 {
        return .nonnegative
      }
      return .unknown
    }
    if op === Op.add || op === Op.mul || op === Op.div {
      if inputs.allSatisfy({ $0 == .positive }) { return .positive }
      if op === Op.add, inputs.contains(.positive), inputs.allSatisfy({ $0 != .unknown }) { return .positive }
      if inputs.allSatisfy({ $0 != .unknown }) { return .nonnegative }
    }
    return .unknown
  }
}
