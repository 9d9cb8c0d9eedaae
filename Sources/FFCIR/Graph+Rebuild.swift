extension Graph {
  /// Rebuilds the graph node by node through a fresh hash-consing builder, so identical nodes
  /// merge. `replace` may return a replacement for a node (given its inputs already mapped into the
  /// new graph); nil copies the node. A replacement inherits the old node's name when it has none,
  /// and new nodes take the old node's location. Roots are mapped to the new nodes.
  /// `mergingDuplicates`: look for equal nodes from the first one on (CSE); otherwise the nodes
  /// before the first change are taken as they are, as a graph made by a builder has no two equal
  /// nodes, so a rebuild that changes little costs little.
  public func rebuilt(
    mergingDuplicates: Bool = false,
    _ replace: (_ node: Node, _ inputs: [NodeID], _ builder: GraphBuilder) throws -> NodeID?
  ) throws -> Graph {
    try rebuiltWithIndex(mergingDuplicates: mergingDuplicates) { _, node, inputs, builder in
      try replace(node, inputs, builder)
    }
  }

  /// `rebuilt`, telling `replace` the index of the node in this graph too.
  public func rebuiltWithIndex(
    mergingDuplicates: Bool = false,
    _ replace: (_ index: Int, _ node: Node, _ inputs: [NodeID], _ builder: GraphBuilder) throws ->
      NodeID?
  ) throws -> Graph {
    try rebuiltMapping(mergingDuplicates: mergingDuplicates, replace).graph
  }

  /// `rebuiltWithIndex`, also returning where each node of this graph went in the new one (two
  /// nodes that map to the same new node were merged). `unchangedBefore`: the caller knows that
  /// `replace` returns nil for the nodes before this index (and, with `mergingDuplicates`, that
  /// none of them equals an earlier one: `firstDuplicate`), so they are taken as they are,
  /// without asking `replace`.
  public func rebuiltMapping(
    mergingDuplicates: Bool = false, unchangedBefore: Int = 0,
    _ replace: (_ index: Int, _ node: Node, _ inputs: [NodeID], _ builder: GraphBuilder) throws ->
      NodeID?
  ) throws -> (graph: Graph, map: [NodeID]) {
    let adoptsUntil = mergingDuplicates ? unchangedBefore : nodes.count
    let builder =
      adoptsUntil == 0 ? GraphBuilder(capacity: nodes.count) : GraphBuilder(rebuilding: self)
    var map = [NodeID](repeating: NodeID(0), count: nodes.count)
    builder.takingLocations(from: nodes)
    var start = 0
    while start < Swift.min(unchangedBefore, nodes.count) && builder.isAdopting {
      builder.adoptNext()
      map[start] = NodeID(start)
      start += 1
    }
    for index in start..<nodes.count {
      let node = nodes[index]
      let identical = builder.isAdopting && builder.count == index && index < adoptsUntil
      let inputs = identical ? node.inputs : Self.mapping(node.inputs, through: map)
      builder.takeLocation(at: index)
      builder.emittingGradient = node.isGradient
      if !node.op.isLeaf, let replacement = try replace(index, node, inputs, builder) {
        if let name = node.name, builder[replacement].name == nil, !builder[replacement].op.isLeaf {
          builder.rename(replacement, name)
        }
        map[index] = replacement
      } else if identical && builder.isAdopting && builder.count == index {
        builder.adoptNext()
        map[index] = NodeID(index)
      } else {
        // Compared in place, the very fields object first (an operand kept as it was): copying
        // both shapes out of every operand of every node copied was a hundredth of a compile.
        var unchanged = true
        for position in inputs.indices
        where !builder.hasShape(of: nodes[node.inputs[position].index], at: inputs[position]) {
          unchanged = false
          break
        }
        map[index] = try builder.copy(
          node, inputs: inputs, inputShapesUnchanged: unchanged, from: index)
      }
    }
    // Nothing changed: the same graph (and storage), which the pass manager need not verify again.
    if builder.isAdopting && builder.count == nodes.count { return (self, map) }
    let roots = remappingRoots { map[$0.index] }
    let graph = builder.graph(
      name: name, declarations: roots.declarations, outputs: roots.outputs, loss: roots.loss,
      gradients: roots.gradients)
    return (graph, map)
  }

  /// `inputs` mapped through `map`: the very array when no operand moved (no allocation), else
  /// one made at its size (`map` grew it, once per node copied).
  @inline(__always)
  public static func mapping(_ inputs: [NodeID], through map: [NodeID]) -> [NodeID] {
    guard inputs.contains(where: { map[$0.index] != $0 }) else { return inputs }
    var mapped: [NodeID] = []
    mapped.reserveCapacity(inputs.count)
    for input in inputs { mapped.append(map[input.index]) }
    return mapped
  }

  /// The index of the first node that equals an earlier one (same op, operands and attributes)
  /// or for which `changes` holds, nil when there is none: where a rebuild that merges duplicates
  /// (CSE) first differs from the graph, found by a scan that makes no nodes.
  public func firstDuplicate(or changes: (_ index: Int) -> Bool) -> Int? {
    var table = NodeTable(capacity: nodes.count)
    for index in nodes.indices {
      if changes(index) { return index }
      let (op, inputs, attributes) = (nodes[index].op, nodes[index].inputs, nodes[index].attributes)
      let hash = nodes[index].tableHash
      if table.find(op, inputs, attributes, hash: hash, in: nodes) != nil { return index }
      table.append(index, hash: hash, isNew: true)
    }
    return nil
  }

  /// Which nodes a root (output, loss, gradient, declared leaf) needs.
  public func liveNodes() -> [Bool] {
    var live = [Bool](repeating: false, count: nodes.count)
    forEachRoot { live[$0.index] = true }
    return markingNeeded(live)
  }

  /// Which nodes the given nodes need, themselves included.
  public func nodesNeeded(by wanted: [NodeID]) -> [Bool] {
    var live = [Bool](repeating: false, count: nodes.count)
    for node in wanted { live[node.index] = true }
    return markingNeeded(live)
  }

  /// `live` with every node a marked node needs marked too.
  private func markingNeeded(_ marked: [Bool]) -> [Bool] {
    var live = marked
    // Through the buffers, as `RewriteEngine.liveUses` (safe for the same reason: every operand
    // precedes its reader, so every index is in the buffers).
    live.withUnsafeMutableBufferPointer { live in
      nodes.withUnsafeBufferPointer { nodes in
        for index in nodes.indices.reversed() where live[index] {
          for input in nodes[index].inputs { live[input.index] = true }
        }
      }
    }
    return live
  }

  /// The forward computation of a gradient graph: the graph without its gradients and the nodes
  /// only they needed, its other roots and its declarations in their places. It evaluates the loss
  /// as the gradient graph does, without the backward pass (`train`'s validation), with no second
  /// compilation.
  public func withoutGradients() -> Graph {
    var forward = self
    forward.gradients = []
    forward.adjoints = []
    forward.aliases = []
    return forward.keeping(forward.liveNodes())
  }

  /// The graph as `ffc run --trace` shows it, for the views: the nodes that a root, a named value
  /// or an adjoint needs, renumbered, with the adjoints and the aliases of kept nodes. An unoptimised
  /// gradient graph also holds nodes that nothing reads (the derivative of `pow` with respect to
  /// its constant exponent), which a student would not recognise as part of backpropagation.
  public func withoutUnreadNodes() -> Graph {
    let named = nodes.indices.filter { nodes[$0].name != nil && !nodes[$0].isGradient }
    let live = nodesNeeded(
      by: roots + named.map(NodeID.init) + adjoints.flatMap { [$0.node, $0.of] })
    var map = [NodeID](repeating: NodeID(0), count: nodes.count)
    var next = 0
    for index in nodes.indices where live[index] {
      map[index] = NodeID(next)
      next += 1
    }
    var graph = keeping(live)
    graph.adjoints = adjoints.map {
      Adjoint($0.name, map[$0.node.index], of: map[$0.of.index], at: $0.location)
    }
    graph.aliases = aliases.filter { live[$0.node.index] }.map {
      Alias($0.name, map[$0.node.index], at: $0.location)
    }
    return graph
  }

  /// Keeps only the nodes that `live` marks, renumbered in their original order.
  public func keeping(_ live: [Bool]) -> Graph {
    var map = [NodeID](repeating: NodeID(0), count: nodes.count)
    var kept: [Node] = []
    kept.reserveCapacity(nodes.count)
    // The nodes before the first dead one keep their places and operands: taken in one copy.
    let firstDead = live.firstIndex(of: false) ?? nodes.count
    kept.append(contentsOf: nodes[..<firstDead])
    for index in 0..<firstDead { map[index] = NodeID(index) }
    for index in firstDead..<nodes.count where live[index] {
      let node = nodes[index]
      map[index] = NodeID(kept.count)
      let inputs = Self.mapping(node.inputs, through: map)
      kept.append(inputs == node.inputs ? node : node.withInputs(inputs, from: index))
    }
    let roots = remappingRoots { map[$0.index] }
    return Graph(
      name: name, nodes: kept, declarations: roots.declarations, outputs: roots.outputs,
      loss: roots.loss, gradients: roots.gradients)
  }
}

extension Graph {
  /// For each node, the node of `other` it equals up to renumbering (-1: none): the same op,
  /// attributes, shape, name and gradient flag, with operands that in turn equal its operands
  /// there. A node kept in place by a rebuild (the very node, at the same index, on operands kept
  /// in place) is found without a lookup; others, renumbered when a rebuild before them added or
  /// removed nodes, are looked up in a hash-consing index of `other` made at the first need.
  /// One walk in order, no recursion: an operand's answer is known before its readers'.
  public func correspondence(to other: Graph) -> [Int] {
    var found = [Int](repeating: -1, count: nodes.count)
    var table: NodeTable?
    var mapped: [NodeID] = []
    // The kept prefix, with one identity test a node: its nodes read only nodes before them, all
    // kept, so each is its own counterpart.
    var start = 0
    while start < nodes.count && start < other.nodes.count
      && nodes[start].isCopy(of: other.nodes[start])
    {
      found[start] = start
      start += 1
    }
    for index in start..<nodes.count {
      let inputs = nodes[index].inputs
      // An operand without a counterpart leaves the node without one (every node above a change,
      // tested first: emptying `mapped` went through the generic `replaceSubrange`).
      if inputs.contains(where: { found[$0.index] < 0 }) { continue }
      if index < other.nodes.count, nodes[index].isCopy(of: other.nodes[index]),
        inputs.allSatisfy({ found[$0.index] == $0.index })
      {
        found[index] = index
        continue
      }
      mapped.removeAll(keepingCapacity: true)
      for input in inputs { mapped.append(NodeID(found[input.index])) }
      if table == nil {
        var index = NodeTable(capacity: other.nodes.count)
        for position in other.nodes.indices {
          index.append(position, hash: other.nodes[position].tableHash, isNew: true)
        }
        table = index
      }
      let node = nodes[index]
      let hash =
        mapped == inputs ? node.tableHash : NodeTable.hash(node.op, mapped, node.attributes)
      guard
        let twin = table?.find(node.op, mapped, node.attributes, hash: hash, in: other.nodes),
        other.nodes[twin.index].hasSameShape(as: node),
        other.nodes[twin.index].isGradient == node.isGradient,
        other.nodes[twin.index].name == node.name
      else { continue }
      found[index] = twin.index
    }
    return found
  }
}
