import FFCTensor

/// A handle on a node inside a `GraphBuilder`, with operators that emit nodes: derivative rules and
/// rewrites are written as ordinary math (`g * (1 - y * y)`), as in micrograd and JAX.
public struct Value {
  public let id: NodeID
  public let builder: GraphBuilder

  public init(id: NodeID, builder: GraphBuilder) {
    self.id = id
    self.builder = builder
  }

  public var node: Node { builder[id] }
  public var shape: Shape { node.shape }
  public var op: Op { node.op }
  public var rank: Int { shape.rank }

  /// The single value of a constant whose elements are all equal, seen through `broadcast_to`.
  public var scalarConstant: Double? {
    if let t = node.constantValue { return t.splatValue }
    if op === Op.broadcastTo { return builder.value(node.inputs[0]).scalarConstant }
    return nil
  }

  public func isConstant(_ x: Double) -> Bool {
    guard let c = scalarConstant else { return false }
    return c == x
  }

  /// Known to be finite wherever it is evaluated: a finite constant or a bounded op's output.
  public var isKnownFinite: Bool {
    if let t = node.constantValue { return t.isFinite }
    if op === Op.broadcastTo { return builder.value(node.inputs[0]).isKnownFinite }
    return op.traits.contains(.boundedOutput)
  }

  public func apply(_ op: Op, _ attributes: Attributes = .none) -> Value {
    builder.apply(op, [self], attributes)
  }
}
