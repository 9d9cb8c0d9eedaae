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
      let place = graph.outputs.last.flatMap { graph[$0.node].location } ?? graph.declarations.last?.location
      throw .user(.missingLoss(at: place))
    }
    let parameters = graph.parameters
    let builder = GraphBuilder(continuing: graph)
    builder.emittingGradient = true
    let cotangents = try cotangents(of: loss, wrt: parameters.map(\.node), in: graph, builder)
    var gradients: [NamedValue] = []
    for parameter in parameters {
      if let g = cotangents[parameter.node.index] {
        gradients.append(NamedValue(parameter.name, g))
      } else {
        // A parameter the loss does not depend on (or only through step, sign or equal, whose
        // derivative is zero): its gradient is exactly zero.
        let onPath = Self.nodesBetween([parameter.node], and: loss.node, in: graph)[parameter.node.index]
        context.warn(onPath ? .parameterZeroGradient(parameter.name, at: parameter.location) : .parameterUnused(parameter.name, at: parameter.location))
        builder.currentLocation = parameter.location
        gradients.append(NamedValue(parameter.name, builder.constant(0).broadcast(to: parameter.shape).id))
      }
    }
    context.count("gradient nodes", by: builder.nodes.count - graph.nodes.count)
    var adjoints: [Adjoint] = []
    for (index, cotangent) in cotangents.enumerated().reversed() where index != loss.node.index {
      guard let cotangent, let name = graph.nodes[index].name else { continue }
      adjoints.append(Adjoint("d\(loss.name)/d\(name)", cotangent, of: NodeID(index)))
    }
    // In the order backpropagation computed them: by cotangent node, and for a shared node from
    // the loss backwards (a stable sort of the reversed list).
    adjoints = adjoints.enumerated().sorted { ($0.element.node, $0.offset) < ($1.element.node, $1.offset) }.map(\.element)
    return builder.graph(
      name: graph.name, declarations: graph.declarations, outputs: graph.outputs, loss: graph.loss,
      gradients: gradients, adjoints: adjoints)
  }

  /// The cotangent of `loss` for every node that lies between `wrt` and the loss (nil elsewhere),
  /// built into `builder`. Walks the nodes once, in reverse topological order, with no recursion.
  public func cotangents(
    of loss: NamedValue, wrt: [NodeID], in graph: Graph, _ builder: GraphBuilder
  ) throws(PassFailure) -> [NodeID?] {
    let relevant = Self.nodesBetween(wrt, and: loss.node, in: graph)
    var contributions = [[NodeID]](repeating: [], count: graph.nodes.count)
    var cotangents = [NodeID?](repeating: nil, count: graph.nodes.count)
    builder.currentLocation = graph[loss.node].location
    contributions[loss.node.index] = [builder.constant(1).id]
    for index in stride(from: loss.node.index, through: 0, by: -1) where relevant[index] {
      let node = graph.nodes[index]
      guard let g = accumulate(contributions[index], node, loss.name, index == loss.node.index, builder) else { continue }
      contributions[index] = []
      cotangents[index] = g
      if node.op.isLeaf { continue }
      guard let vjp = node.op.vjp else { throw .user(.cannotDifferentiate(node.op.name, at: node.location)) }
      builder.currentLocation = node.location
      let context = VJPContext(
        g: builder.value(g), inputs: node.inputs.map(builder.value), output: builder.value(NodeID(index)),
        attributes: node.attributes)
      let results = vjp(context)
      if let failure = builder.clearFailure() {
        throw .internal(pass: name, message: "the derivative rule of '\(node.op.name)' is ill-shaped: \(failure.message)")
      }
      for (position, input) in node.inputs.enumerated() where relevant[input.index] {
        guard position < results.count, let cotangent = results[position] else { continue }
        contributions[input.index].append(cotangent.id)
      }
    }
    return cotangents
  }

  /// Sums the cotangents that arrived along different paths and names the total after the value
  /// it belongs to (`dL/dh1`).
  private func accumulate(
    _ parts: [NodeID], _ node: Node, _ lossName: String, _ isSeed: Bool, _ builder: GraphBuilder
  ) -> NodeID? {
    guard var total = parts.first.map(builder.value) else { return nil }
    builder.currentLocation = node.location
    for part in parts.dropFirst() { total = total + builder.value(part) }
    if !isSeed, let name = node.name, builder[total.id].isGradient, builder[total.id].name == nil {
      builder.rename(total.id, "d\(lossName)/d\(name)")
    }
    return total.id
  }

  /// Nodes that depend on one of `sources` and on which `target` depends: the only ones whose
  /// derivative matters (everything else gets a symbolic zero and no node at all).
  static func nodesBetween(_ sources: [NodeID], and target: NodeID, in graph: Graph) -> [Bool] {
    var fromSource = [Bool](repeating: false, count: graph.nodes.count)
    for source in sources { fromSource[source.index] = true }
    for (index, node) in graph.nodes.enumerated() where !fromSource[index] {
      fromSource[index] = node.inputs.contains { fromSource[$0.index] }
    }
    var toTarget = [Bool](repeating: false, count: graph.nodes.count)
    toTarget[target.index] = true
    for index in stride(from: target.index, through: 0, by: -1) where toTarget[index] {
      for input in graph.nodes[index].inputs { toTarget[input.index] = true }
    }
    return zip(fromSource, toTarget).map { $0 && $1 }
  }
}
