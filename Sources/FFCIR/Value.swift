import FFCTensor

/// A handle on a node inside a `GraphBuilder`, with operators that emit nodes: derivative rules and
/// rewrites are written as ordinary math (`g * (1 - y * y)`), as in micrograd and JAX.
///
/// An emission that fails (an ill-shaped rule) does not throw in the middle of the math: it makes
/// a failed value, and every value built from a failed one fails the same way, as NaN spreads. The
/// code that takes a rule's result asks `nodeID`, which throws the failure, so a failed rule can
/// never pass for one of its operands.
public struct Value {
  /// The node. For a failed value, a stand-in (the first operand of the failed emission) that lets
  /// a rule go on asking shapes; only FFCIR's own rules and helpers read it, others go through
  /// `nodeID`.
  @usableFromInline let id: NodeID
  public let builder: GraphBuilder
  /// Where the builder keeps why this value could not be built (`GraphBuilder.failures`), -1
  /// when it was. An index, not the error: values are copied at every operand a rule or a
  /// derivative reads, and the error's message was retained and released with each copy.
  @usableFromInline let failureIndex: Int

  @inlinable public init(id: NodeID, builder: GraphBuilder) {
    self.id = id
    self.builder = builder
    self.failureIndex = -1
  }

  init(failureAt index: Int, standIn: NodeID, builder: GraphBuilder) {
    self.id = standIn
    self.builder = builder
    self.failureIndex = index
  }

  /// Why this value could not be built, here or in a value it was built from; nil when it was.
  @inlinable public var failure: ShapeError? {
    failureIndex < 0 ? nil : builder.failures[failureIndex]
  }

  /// Whether this value could not be built (`failure` is not nil), without reading the error.
  @inlinable var isFailed: Bool { failureIndex >= 0 }

  /// The node this value is, or the shape error that kept it from being built.
  public var nodeID: NodeID {
    get throws(ShapeError) {
      if let failure { throw failure }
      return id
    }
  }

  @inlinable public var node: Node { builder[id] }
  @inlinable public var shape: Shape { node.shape }
  @inlinable public var op: Op { node.op }
  public var rank: Int { shape.rank }

  /// The single value of a constant whose elements are all equal, seen through `broadcast_to`.
  public var scalarConstant: Double? {
    if isFailed { return nil }
    // The node copied out once, and the leaf bit tested before `Op.broadcastTo` is read (its
    // lazy initialiser's accessor is a call, around which what is held was retained).
    let node = self.node
    if node.op.isLeaf { return node.constantValue?.splatValue }
    if node.op === Op.broadcastTo { return builder.value(node.inputs[0]).scalarConstant }
    return nil
  }

  public func isConstant(_ x: Double) -> Bool {
    guard let c = scalarConstant else { return false }
    return c == x
  }

  /// Known to be finite wherever it is evaluated: a finite constant or a bounded op's output.
  public var isKnownFinite: Bool {
    if isFailed { return false }
    if let t = node.constantValue { return t.isFinite }
    if op === Op.broadcastTo { return builder.value(node.inputs[0]).isKnownFinite }
    return op.traits.contains(.boundedOutput)
  }

  public func apply(_ op: Op, _ attributes: Attributes = .none) -> Value {
    builder.apply(op, [self], attributes)
  }
}
