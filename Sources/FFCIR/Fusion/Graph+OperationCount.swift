extension Graph {
  /// Nodes that run: every node but the leaves (inputs, parameters, constants), as PyTensor
  /// counts apply nodes. A `fused` node counts once.
  public var operationCount: Int { nodes.count { !$0.op.isLeaf } }

  /// The `fused` nodes: elementwise chains the fusion pass turned into one loop each.
  public var fusedNodeCount: Int { nodes.count { $0.op === Op.fused } }

  /// The ops of one training step as PyTensor counts them: this (forward + gradient) graph's
  /// operations plus one in-place update per parameter it differentiates.
  public var trainingStepOperationCount: Int { operationCount + gradients.count }
}
