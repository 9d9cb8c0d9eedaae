import FFCIR

/// Evaluates, at compile time, every node whose inputs are all constants (with the op's own
/// `evaluate`, so there is no second copy of any op's meaning), and every shape-only node (`size`)
/// whose input shape is known. Results larger than `maxElements` are left alone, and so is
/// broadcasting a scalar, which is already as small as a constant can be.
public struct ConstantFolding: Pass {
  public let name = "constant-folding"
  public var maxElements = 4096

  public init() {}

  public func run(_ graph: Graph, _ context: inout PassContext) throws(PassFailure) -> Graph {
    // In a fixed-point round after the first there is usually nothing left to fold: finding that
    // out by a scan costs far less than a rebuild of the whole graph.
    guard let first = firstFoldable(graph) else { return graph }
    var counts: [String: Int] = [:]
    var events: [RewriteEvent] = []
    let result = try rebuilding(graph) {
      // Before the first foldable node the scan's answer (not foldable) holds: the rebuild takes
      // those nodes as they are, without asking again.
      try graph.rebuiltMapping(unchangedBefore: first) { index, node, inputs, builder in
        guard let value = fold(node, inputs, builder) else { return nil }
        let rule = "fold \(node.op.name)"
        counts[rule, default: 0] += 1
        // A constant whose elements are all equal stays one scalar, broadcast: rules that look for
        // a scalar factor (x·c, (x·c)·d) see it, and the printed graph shows 0.5, not [0.5, 0.5].
        let replacement =
          if value.scalars.count > 1, let splat = value.splatValue {
            try builder.broadcast(builder.constantNode(Tensor(splat)), to: node.shape)
          } else {
            builder.constantNode(value)
          }
        events.append(
          RewriteEvent(
            pass: name, rule: rule, location: node.location,
            before: node.name.map { "%" + $0 } ?? node.op.name,
            after: TensorFormat.summary(value), original: NodeID(index), replacement: replacement))
        return replacement
      }.graph
    }
    for (key, n) in counts.sorted(by: { $0.key < $1.key }) { context.count(key, by: n) }
    for event in events { context.record(event) }
    return result
  }

  /// The first node that is not a leaf and that `isFoldable` holds for (nil: none). Almost every
  /// node fails `isFoldable`'s first test (an operand neither a constant nor a broadcast), made
  /// here on the nodes in place: a node copied out per operand, its fields retained and
  /// released, was most of what the scan cost.
  private func firstFoldable(_ graph: Graph) -> Int? {
    let (constant, broadcast) = (Op.const, Op.broadcastTo)
    return graph.nodes.withUnsafeBufferPointer { nodes -> Int? in
      for index in nodes.indices {
        let op = nodes[index].op
        if op.isLeaf { continue }
        if !op.traits.contains(.shapeOnly),
          nodes[index].inputs.contains(where: {
            let operand = nodes[$0.index].op
            return operand !== constant && operand !== broadcast
          })
        {
          continue
        }
        if isFoldable(nodes[index], nodes[index].inputs, graph) { return index }
      }
      return nil
    }
  }

  private func fold(_ node: Node, _ inputs: [NodeID], _ builder: GraphBuilder) -> Tensor? {
    guard isFoldable(node, inputs, builder), let shape = node.shape.concrete else { return nil }
    if node.op.traits.contains(.shapeOnly) {
      guard let inputShape = builder[inputs[0]].shape.concrete else { return nil }
      // A shape-only op reads its operand's shape alone: the operand is given with that shape and
      // no elements, since spreading zeros over it (the shape of a data set, say) may need more
      // memory than the machine has.
      var operand = Tensor(0)
      operand.shape = inputShape
      return node.op.evaluate([operand], node.attributes, shape)
    }
    return node.op.evaluate(
      inputs.compactMap { constantOperand($0, builder) }, node.attributes, shape)
  }

  /// An operand's value when it is constant: a constant, or a scalar constant broadcast, which is
  /// how a folded splat is left (exp(a · 2) for a = [1, 1] folds the product, then the exp).
  private func constantOperand(_ id: NodeID, _ graph: some NodeLookup) -> Tensor? {
    let node = graph[id]
    if let value = node.constantValue { return value }
    guard isBroadcastScalar(node, graph), let shape = node.shape.concrete,
      let scalar = graph[node.inputs[0]].constantValue?.scalars.first
    else { return nil }
    return Tensor(repeating: scalar, shape: shape)
  }

  /// A scalar constant broadcast to a known shape no larger than a folded result may be.
  private func isBroadcastScalar(_ node: Node, _ graph: some NodeLookup) -> Bool {
    guard node.op === Op.broadcastTo, graph[node.inputs[0]].constantValue?.isScalar == true else {
      return false
    }
    return (node.shape.elementCount ?? .max) <= maxElements
  }

  /// Whether `fold` evaluates the node, whose operands `inputs` are nodes of `graph` (a graph or
  /// the builder of one).
  private func isFoldable(_ node: Node, _ inputs: [NodeID], _ graph: some NodeLookup) -> Bool {
    let shapeOnly = node.op.traits.contains(.shapeOnly)
    // The cheapest test first (it fails at almost every node): an operand that is neither a
    // constant nor a broadcast (the two ops looked up once, not per operand).
    if !shapeOnly {
      let (constant, broadcast) = (Op.const, Op.broadcastTo)
      for input in inputs {
        let op = graph[input].op
        if op !== constant && op !== broadcast { return false }
      }
    }
    guard let count = node.shape.elementCount, count <= maxElements else { return false }
    if shapeOnly { return graph[inputs[0]].shape.concrete != nil }
    guard inputs.allSatisfy({ graph[$0].op === Op.const || isBroadcastScalar(graph[$0], graph) })
    else { return false }
    // Broadcasting a scalar constant is already as small as a constant can be. (`node` may be of
    // the graph being rebuilt: its operands are `inputs`, not `node.inputs`.)
    return !(node.op === Op.broadcastTo && graph[inputs[0]].constantValue?.isScalar == true)
  }
}
