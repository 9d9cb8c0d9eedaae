/// A broken invariant: always a bug in ffc, never in the user's program.
public struct VerificationError: Error, Sendable, CustomStringConvertible {
  public let message: String
  public var description: String { message }
}

extension Graph {
  /// Checks the invariants every pass must keep: topological order, arity, shapes that the op's
  /// rule re-infers, and roots that exist. The pass manager runs it after every pass.
  public func verify() throws(VerificationError) {
    for (index, node) in nodes.enumerated() {
      for input in node.inputs where input.index >= index || input.index < 0 {
        throw VerificationError(message: "node %\(index) ('\(node.op.name)') uses %\(input.index), which does not precede it")
      }
      if !node.op.accepts(operandCount: node.inputs.count) {
        throw VerificationError(message: "node %\(index) ('\(node.op.name)') has \(node.inputs.count) operands, expected \(node.op.arity)")
      }
      let shape: Shape
      do {
        shape = try node.op.inferShape(node.inputs.map { nodes[$0.index].shape }, node.attributes)
      } catch {
        throw VerificationError(message: "node %\(index) ('\(node.op.name)') is ill-shaped: \(error)")
      }
      if shape != node.shape {
        throw VerificationError(message: "node %\(index) ('\(node.op.name)') has shape \(node.shape), its rule gives \(shape)")
      }
    }
    for root in roots where root.index < 0 || root.index >= nodes.count {
      throw VerificationError(message: "root \(root) is not a node of the graph")
    }
    for declaration in declarations where !self[declaration.node].op.isLeaf {
      throw VerificationError(message: "declaration '\(declaration.name)' does not point at a leaf")
    }
    if let loss, self[loss.node].shape.rank != 0 {
      throw VerificationError(message: "the loss '\(loss.name)' is not a scalar")
    }
  }
}
