import FFCIR

/// Reverse-mode, symbol-to-symbol differentiation (the course's build_grad): appends to the graph
/// the nodes that compute ∂loss/∂p for every parameter p, and records them as the graph's
/// gradients. Only nodes on a path from a parameter to the loss are differentiated; cotangents
/// that reach a node along several paths are summed. The result is an ordinary graph, so it can be
/// optimised, printed, evaluated, and differentiated again.
public struct Differentiate: Pass {
  public let name = "differentiate"

  public init() {}

  public func run(_ graph: Graph, _ context: inout PassContext) throws(PassFailure) -> Graph {
    guard let loss = graph.loss else {
      let place =
        graph.outputs.last.flatMap { graph[$0.node].location } ?? graph.declarations.last?.location
      throw .user(.missingLoss(at: place))
    }
    let parameters = graph.declarations.indices.filter { graph.declarations[$0].kind == .param }
    let builder = GraphBuilder(continuing: graph)
    builder.emittingGradient = true
    let cotangents = try cotangents(
      of: loss, wrt: parameters.map { graph.declarations[$0].node }, in: graph, builder)
    var gradients: [Gradient] = []
    for index in parameters {
      let parameter = graph.declarations[index]
      if let g = cotangents[parameter.node.index] {
        gradients.append(Gradient(of: index, g))
      } else {
        // A parameter the loss does not depend on (or only through step, sign or equal, whose
        // derivative is zero): its gradient is exactly zero.
        let onPath = Self.nodesBetween([parameter.node], and: loss.node, in: graph)[
          parameter.node.index]
        context.warn(
          onPath
            ? .parameterZeroGradient(parameter.name, at: parameter.location)
            : .parameterUnused(parameter.name, at: parameter.location))
        builder.currentLocation = parameter.location
        gradients.append(
          Gradient(of: index, builder.filled(0, shape: parameter.shape)))
      }
    }
    context.count("gradient nodes", by: builder.nodes.count - graph.nodes.count)
    var adjoints: [Adjoint] = []
    let aliases = graph.aliasesByNode
    for (index, cotangent) in cotangents.enumerated().reversed() where index != loss.node.index {
      guard let cotangent, let name = graph.nodes[index].name else { continue }
      // A rename's cotangent is its value's (y = h: dL/dy is dL/dh), shown where it is written,
      // and before it: backpropagation meets the later name first.
      for alias in aliases[index].reversed() {
        adjoints.append(
          Adjoint(
            "d\(loss.name)/d\(alias.name)", cotangent, of: NodeID(index), at: alias.location))
      }
      adjoints.append(Adjoint("d\(loss.name)/d\(name)", cotangent, of: NodeID(index)))
    }
    // In the order backpropagation computed them: by cotangent node, and for a shared node from
    // the loss backwards (a stable sort of the reversed list).
    // Positions are sorted, not the adjoints: moving each one (two strings and a location) at
    // every swap cost more than the comparisons.
    let unsorted = adjoints
    adjoints = unsorted.indices.sorted {
      (unsorted[$0].node.index, $0) < (unsorted[$1].node.index, $1)
    }.map { unsorted[$0] }
    return builder.graph(
      name: graph.name, declarations: graph.declarations, outputs: graph.outputs, loss: graph.loss,
      gradients: gradients, adjoints: adjoints, aliases: graph.aliases)
  }

  /// The cotangent of `loss` for every node that lies between `wrt` and the loss (nil elsewhere),
  /// built into `builder` (see `ReverseMode`).
  public func cotangents(
    of loss: NamedValue, wrt: [NodeID], in graph: Graph, _ builder: GraphBuilder
  ) throws(PassFailure) -> [NodeID?] {
    do {
      return try ReverseMode.cotangents(
        of: loss.node, named: loss.name, wrt: wrt, nodes: graph.nodes, builder)
    } catch {
      switch error {
      case .notDifferentiable(let op, let location):
        throw .user(.cannotDifferentiate(op, at: location))
      case .forwardThroughCustomDerivative(let function, let location):
        throw .user(.forwardThroughCustomDerivative(function, at: nil, clause: location))
      case .illShapedRule(let op, let message):
        throw .internal(
          pass: name, message: "the derivative rule of '\(op)' is ill-shaped: \(message)")
      }
    }
  }

  static func nodesBetween(_ sources: [NodeID], and target: NodeID, in graph: Graph) -> [Bool] {
    ReverseMode.nodesBetween(sources, and: target, in: graph.nodes)
  }
}
