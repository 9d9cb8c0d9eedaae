/// A broken invariant: always a bug in ffc, never in the user's program.
public struct VerificationError: Error, Sendable, CustomStringConvertible {
  public let message: String
  public var description: String { message }
}

extension Graph {
  /// For each node, whether it is a copy of the node at its place in `other`.
  func keptNodes(_ other: Graph) -> [Bool] {
    nodes.indices.map { isKept($0, from: other) }
  }

  /// Whether node `index` is a copy of the node at its place in `other` (`keptNodes`, one node
  /// at a time: verification asks it in place instead of mapping the graph to an array first).
  @inline(__always) func isKept(_ index: Int, from other: Graph) -> Bool {
    index < other.nodes.count && nodes[index].isCopy(of: other.nodes[index])
  }

  /// Whether node `index` has a twin in `verified` (a graph that passed `verify`): the node it
  /// was copied from (`Node.origin`, a hint that is checked here), with the same op, attributes,
  /// shape and as many operands, each of the same shape as this node's. The shape rule depends
  /// only on those, so it would give this node's shape as it gave the twin's.
  func hasCheckedTwin(_ index: Int, in verified: Graph) -> Bool {
    let origin = nodes[index].fields.origin
    guard origin >= 0, origin < verified.nodes.count else { return false }
    return Node.borrowingFields(of: nodes, index) { fields in
      Node.borrowingFields(of: verified.nodes, origin) { twin in
        guard Node.hasSameRule(fields, twin) else { return false }
        for position in fields.inputs.indices {
          let (operand, twinOperand) = (fields.inputs[position].index, twin.inputs[position].index)
          let same = Node.borrowingFields(of: nodes, operand) { a in
            Node.borrowingFields(of: verified.nodes, twinOperand) { b in
              a === b || a.shape == b.shape
            }
          }
          if !same { return false }
        }
        return true
      }
    }
  }

  /// Whether `other` is this very graph, unchanged (the same node storage and roots): what a pass
  /// returns when it found nothing to do, which needs no second verification.
  public func isIdentical(to other: Graph) -> Bool {
    let same = nodes.withUnsafeBufferPointer { a in
      other.nodes.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress }
    }
    return same && nodes.count == other.nodes.count && hasSameRoots(as: other)
  }

  /// Checks that node `index`'s operands precede it and that its op takes as many. The fields
  /// are read in place and let go before the caller goes on: held across the twin check, they
  /// were retained and released at every node verified.
  @inline(__always) private func checkOperands(_ index: Int) throws(VerificationError) {
    for input in nodes[index].inputs where input.index >= index || input.index < 0 {
      throw VerificationError(
        message:
          "node %\(index) ('\(nodes[index].op.name)') uses %\(input.index), which does not precede it"
      )
    }
    if !nodes[index].op.accepts(operandCount: nodes[index].inputs.count) {
      let (op, count) = (nodes[index].op, nodes[index].inputs.count)
      throw VerificationError(
        message: "node %\(index) ('\(op.name)') has \(count) operands, expected \(op.arity)")
    }
  }

  /// Checks the invariants every pass must keep: topological order, arity, shapes that the op's
  /// rule re-infers, and roots that exist. The pass manager runs it after every pass.
  ///
  /// `verified`: a graph this one was made from that passed this check. A node that is a copy of
  /// the node at its place there, reading copies of the nodes at their places there, has the
  /// same operands, shapes and attributes as one already checked, and is skipped: a pass that
  /// changed a few nodes has only those (and what reads them) checked again. A node copied from
  /// a checked one with other operand numbers only (`hasCheckedTwin`) keeps its order and arity
  /// checks but not the shape rule, which would read the same op, attributes and shapes.
  public func verify(since verified: Graph? = nil) throws(VerificationError) {
    var inputShapes: [Shape] = []  // reused: one array for every node, not one each
    // Fields are read in place (`nodes[index].op`), not by copying each node out: the pass
    // manager verifies graphs of thousands of nodes after every pass. Whether a node is kept is
    // asked in place too (`isKept`), not mapped to an array of flags per verification.
    // The kept prefix is passed over with one identity test a node: each of its nodes reads only
    // nodes before it, all kept, so the test of its operands below would hold at every one.
    var start = 0
    if let verified {
      while start < nodes.count && isKept(start, from: verified) { start += 1 }
    }
    for index in start..<nodes.count {
      if let verified, isKept(index, from: verified),
        nodes[index].inputs.allSatisfy({ isKept($0.index, from: verified) })
      {
        continue
      }
      try checkOperands(index)
      // A renumbered copy of a checked node (same op, attributes and shape, operands of the same
      // shapes) needs no second shape rule: the rule reads only those.
      if let verified, hasCheckedTwin(index, in: verified) { continue }
      let (op, inputs) = (nodes[index].op, nodes[index].inputs)
      let shape: Shape
      do {
        // Overwritten in place, the length fitted one element at a time: emptying the array
        // first went through the generic `replaceSubrange` (a tenth of what verification cost),
        // and mapping the operands anew reserved a new buffer whenever the count changed.
        while inputShapes.count > inputs.count { inputShapes.removeLast() }
        while inputShapes.count < inputs.count { inputShapes.append(.scalar) }
        for position in inputs.indices {
          inputShapes[position] = nodes[inputs[position].index].shape
        }
        shape = try op.inferShape(inputShapes, nodes[index].attributes)
      } catch {
        throw VerificationError(message: "node %\(index) ('\(op.name)') is ill-shaped: \(error)")
      }
      if shape != nodes[index].shape {
        throw VerificationError(
          message:
            "node %\(index) ('\(op.name)') has shape \(nodes[index].shape), its rule gives \(shape)"
        )
      }
    }
    var missing: NodeID?
    forEachRoot { root in
      if missing == nil && (root.index < 0 || root.index >= nodes.count) { missing = root }
    }
    if let missing {
      throw VerificationError(message: "root \(missing) is not a node of the graph")
    }
    // By index: copying each declaration out (its name, shape, initialiser) costs more than the test.
    for index in declarations.indices where !nodes[declarations[index].node.index].op.isLeaf {
      throw VerificationError(
        message: "declaration '\(declarations[index].name)' does not point at a leaf")
    }
    for gradient in gradients {
      guard declarations.indices.contains(gradient.declaration),
        declarations[gradient.declaration].kind == .param
      else {
        throw VerificationError(
          message:
            "gradient \(gradient.node) is linked to declaration \(gradient.declaration), not a parameter"
        )
      }
      // The fields read in place: copying the declaration out costs more than the test.
      if nodes[gradient.node.index].shape != declarations[gradient.declaration].shape {
        let parameter = declarations[gradient.declaration]
        throw VerificationError(
          message:
            "the gradient of '\(parameter.name)' has shape \(self[gradient.node].shape), the parameter \(parameter.shape)"
        )
      }
    }
    if let loss, self[loss.node].shape.rank != 0 {
      throw VerificationError(message: "the loss '\(loss.name)' is not a scalar")
    }
  }
}
