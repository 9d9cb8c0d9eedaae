/// Reverse-mode, symbol-to-symbol differentiation (the course's build_grad) as a graph-building
/// routine: appends to a builder the nodes that compute the cotangent of one scalar value for the
/// nodes it depends on. Used by the Differentiate pass for the loss, and by the frontend for
/// `grad(expr, W)` in a program, so a gradient can itself be differentiated.
public enum ReverseMode {
  public enum Failure: Error, Sendable {
    /// An op on the path has no derivative rule.
    case notDifferentiable(op: String, location: SourceRange?)
    /// A derivative rule built an ill-shaped node: a bug in the rule.
    case illShapedRule(op: String, message: String)
    /// Forward mode met a function whose derivative is stated for reverse mode only
    /// (`derivative(g) = ...`, as `jax.custom_vjp`).
    case forwardThroughCustomDerivative(function: String, location: SourceRange?)
  }

  /// The cotangent of `output` (named `outputName` in gradient names, `dL/dh1`) for every node that
  /// lies between one of `wrt` and `output` (nil elsewhere), built into `builder`, which must
  /// already hold `nodes`. Walks the nodes once, in reverse order, with no recursion; cotangents
  /// that arrive along several paths are summed. Each of `wrt` is an independent input: its
  /// cotangent goes no further down, so with `wrt` = [h, W] and h computed from W, W's cotangent
  /// counts only its paths that avoid h (as JAX's derivative of f(h, W) in both arguments).
  public static func cotangents(
    of output: NodeID, named outputName: String, wrt: [NodeID], nodes: [Node],
    _ builder: GraphBuilder
  ) throws(Failure) -> [NodeID?] {
    let relevant = nodesBetween(wrt, and: output, in: nodes)
    var independent = [Bool](repeating: false, count: nodes.count)
    for node in wrt { independent[node.index] = true }
    let wasBuildingCotangents = builder.buildsCotangents
    builder.buildsCotangents = true
    defer { builder.buildsCotangents = wasBuildingCotangents }
    // The first cotangent to reach each node, and those after it (a value read more than once):
    // most nodes get one, and an array for each, made at its first append, was an allocation a
    // node.
    var firstContribution = [NodeID?](repeating: nil, count: nodes.count)
    var moreContributions = [[NodeID]](repeating: [], count: nodes.count)
    var cotangents = [NodeID?](repeating: nil, count: nodes.count)
    builder.currentLocation = nodes[output.index].location
    firstContribution[output.index] = builder.filled(1, shape: nodes[output.index].shape)
    for index in stride(from: output.index, through: 0, by: -1) where relevant[index] {
      let node = nodes[index]
      guard let first = firstContribution[index] else { continue }
      let g = try accumulate(
        first, moreContributions[index], node, outputName, index == output.index, builder)
      moreContributions[index] = []
      cotangents[index] = g
      if node.op.isLeaf || independent[index] { continue }
      guard let vjp = node.op.vjp else {
        throw .notDifferentiable(op: node.op.name, location: node.location)
      }
      builder.takeLocation(of: node)
      let context = VJPContext(
        g: builder.value(g), inputs: node.inputs.map(builder.value),
        output: builder.value(NodeID(index)),
        attributes: node.attributes)
      let results = vjp(context)
      // Every cotangent the rule built must be whole, used here or not: one that failed is a bug.
      if let failure = results.lazy.compactMap({ $0?.failure }).first {
        throw .illShapedRule(op: node.op.name, message: failure.message)
      }
      for (position, input) in node.inputs.enumerated() where relevant[input.index] {
        guard position < results.count, let cotangent = results[position] else { continue }
        if firstContribution[input.index] == nil {
          firstContribution[input.index] = cotangent.id
        } else {
          moreContributions[input.index].append(cotangent.id)
        }
      }
    }
    return cotangents
  }

  /// Sums the cotangents that arrived along different paths and names the total after the value
  /// it belongs to (`dL/dh1`).
  static func accumulate(
    _ first: NodeID, _ more: [NodeID], _ node: Node, _ outputName: String, _ isSeed: Bool,
    _ builder: GraphBuilder
  ) throws(Failure) -> NodeID {
    var total = builder.value(first)
    builder.takeLocation(of: node)
    for part in more { total = total + builder.value(part) }
    if let failure = total.failure {
      throw .illShapedRule(op: node.op.name, message: "its cotangents do not add: \(failure)")
    }
    // Gradient nodes are not renamed again (a second order would print `ds/ddL/dh`).
    if !isSeed, let name = node.name, !node.isGradient, builder[total.id].isGradient,
      builder[total.id].name == nil
    {
      builder.rename(total.id, "d\(outputName)/d\(name)")
    }
    return total.id
  }

  /// Nodes that depend on one of `sources` and on which `target` depends: the only ones whose
  /// derivative matters (everything else gets a symbolic zero and no node at all).
  public static func nodesBetween(_ sources: [NodeID], and target: NodeID, in nodes: [Node])
    -> [Bool]
  {
    var fromSource = [Bool](repeating: false, count: nodes.count)
    for source in sources { fromSource[source.index] = true }
    for (index, node) in nodes.enumerated() where !fromSource[index] {
      fromSource[index] = node.inputs.contains { fromSource[$0.index] }
    }
    var toTarget = [Bool](repeating: false, count: nodes.count)
    toTarget[target.index] = true
    for index in stride(from: target.index, through: 0, by: -1) where toTarget[index] {
      for input in nodes[index].inputs { toTarget[input.index] = true }
    }
    return zip(fromSource, toTarget).map { $0 && $1 }
  }
}
