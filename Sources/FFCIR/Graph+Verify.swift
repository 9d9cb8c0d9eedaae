/// A broken invariant: always a bug in ffc, never in the user's program.
public struct VerificationError: Error, Sendable, CustomStringConvertible {
  public let message: String
  public var description: String { message }
}

extension Graph {
  /// For each node, whether it is a copy of the node at its place in `other`.
  func keptNodes(_ other: Graph) -> [Bool] {
    nodes.indices.map { $0 < other.nodes.count && nodes[$0].isCopy(of: other.nodes[$0]) }
  }

  /// Whether `other` is this very graph, unchanged (the same node storage and roots): what a pass
  /// returns when it found nothing to do, which needs no second verification.
  public func isIdentical(to other: Graph) -> Bool {
    let same = nodes.withUnsafeBufferPointer { a in
      other.nodes.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress }
    }
    return same && nodes.count == other.nodes.count && hasSameRoots(as: other)
  }

  /// Checks the invariants every pass must keep: topological order, arity, shapes that the op's
  /// rule re-infers, and roots that exist. The pass manager runs it after every pass.
  ///
  /// `verified`: a graph this one was made from that passed this check. A node that is a copy of
  /// the node at its place there, reading copies of the nodes at their places there, has the
  /// same operands, shapes and attributes as one already checked, and is skipped: a pass that
  /// changed a few nodes has only those (and what reads them) checked again.
  public func verify(since verified: Graph? = nil) throws(VerificationError) {
    var inputShapes: [Shape] = []  // reused: one array for every node, not one each
    let kept = verified.map(keptNodes) ?? []
    // Fields are read in place (`nodes[index].op`), not by copying each node out: the pass
    // manager verifies graphs of thousands of nodes after every pass.
    for index in nodes.indices
    where kept.isEmpty || !(kept[index] && nodes[index].inputs.allSatisfy { kept[$0.index] }) {
      let (op, inputs) = (nodes[index].op, nodes[index].inputs)
      for input in inputs where input.index >= index || input.index < 0 {
        throw VerificationError(
          message: "node %\(index) ('\(op.name)') uses %\(input.index), which does not precede it")
      }
      if !op.accepts(operandCount: inputs.count) {
        throw VerificationError(
          message:
            "node %\(index) ('\(op.name)') has \(inputs.count) operands, expected \(op.arity)")
      }
      let shape: Shape
      do {
        inputShapes.removeAll(keepingCapacity: true)
        for input in inputs { inputShapes.append(nodes[input.index].shape) }
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
      let parameter = declarations[gradient.declaration]
      if self[gradient.node].shape != parameter.shape {
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
