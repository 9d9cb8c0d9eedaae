import FFCDiagnostics
import FFCTensor

/// Builds a graph node by node. Identical nodes (same op, inputs and attributes) are created once:
/// hash-consing, which is common-subexpression elimination for free. Every emitted node runs its
/// op's shape rule. New nodes take the builder's current location and gradient flag, so a pass that
/// rewrites or differentiates a node tags what it creates with that node's source location.
public final class GraphBuilder {
  /// Ops are compared by identity (each op is one shared value), which hashes much faster than
  /// its name: passes rebuild graphs of thousands of nodes several times per compile.
  private struct Key: Hashable {
    let op: ObjectIdentifier
    let inputs: [NodeID]
    let attributes: Attributes
  }

  public private(set) var nodes: [Node] = []
  private var cache: [Key: NodeID] = [:]

  public var currentLocation: SourceRange?
  public var emittingGradient = false
  /// The first shape error met by a non-throwing helper (`a + b` in a derivative rule). A pass
  /// checks it after building: it means a rule produced an ill-shaped graph, an internal error.
  public private(set) var failure: ShapeError?

  public init() {}

  /// A builder expected to make about `capacity` nodes (a rebuild of a graph that size): its
  /// tables are sized once instead of growing.
  public init(capacity: Int) {
    nodes.reserveCapacity(capacity)
    cache.reserveCapacity(capacity)
  }

  /// Starts from an existing graph's nodes (used by passes that only append, like Differentiate).
  public init(continuing graph: Graph) {
    nodes = graph.nodes
    cache.reserveCapacity(graph.nodes.count * 2)
    for (index, node) in graph.nodes.enumerated() {
      let key = Key(op: ObjectIdentifier(node.op), inputs: node.inputs, attributes: node.attributes)
      if cache[key] == nil { cache[key] = NodeID(index) }
    }
  }

  public subscript(id: NodeID) -> Node { nodes[id.index] }

  /// A node's shape, without copying the whole node out.
  public func shape(of id: NodeID) -> Shape { nodes[id.index].shape }

  public func value(_ id: NodeID) -> Value { Value(id: id, builder: self) }

  /// Emits `op(inputs)` or returns the identical node made before.
  public func emit(
    _ op: Op, _ inputs: [NodeID], _ attributes: Attributes = .none, name: String? = nil
  ) throws -> NodeID {
    try emit(op, inputs, attributes, name: name, knownShape: nil)
  }

  /// `emit`, with the shape already known when the caller copies a node whose operands kept
  /// their shapes (a shape rule depends only on the operands' shapes and the attributes).
  private func emit(
    _ op: Op, _ inputs: [NodeID], _ attributes: Attributes, name: String?, knownShape: Shape?
  ) throws -> NodeID {
    let key = Key(op: ObjectIdentifier(op), inputs: inputs, attributes: attributes)
    if let existing = cache[key] {
      // A name given while building gradients is not put on a forward node that turned out equal.
      if let name, nodes[existing.index].name == nil, !emittingGradient || nodes[existing.index].isGradient {
        nodes[existing.index].name = name
      }
      return existing
    }
    guard op.accepts(operandCount: inputs.count) else {
      throw ShapeError("'\(op.name)' takes \(op.arity) operands, got \(inputs.count)")
    }
    let shape = try knownShape ?? op.inferShape(inputs.map { nodes[$0.index].shape }, attributes)
    let id = NodeID(nodes.count)
    nodes.append(
      Node(
        op: op, inputs: inputs, attributes: attributes, shape: shape, name: name,
        location: currentLocation, isGradient: emittingGradient))
    cache[key] = id
    return id
  }

  /// Non-throwing emission for derivative rules and rewrites, whose operands are shaped by
  /// construction: a shape error is recorded in `failure` and the first operand is returned.
  public func apply(_ op: Op, _ inputs: [Value], _ attributes: Attributes = .none) -> Value {
    do {
      return value(try emit(op, inputs.map(\.id), attributes))
    } catch {
      if failure == nil {
        failure = (error as? ShapeError) ?? ShapeError("\(error)")
      }
      return inputs.first ?? constant(0)
    }
  }

  public func clearFailure() -> ShapeError? {
    defer { failure = nil }
    return failure
  }

  /// Names a node; a rebuilt forward node never takes a gradient's name.
  public func rename(_ id: NodeID, _ name: String) {
    if emittingGradient && !nodes[id.index].isGradient { return }
    nodes[id.index].name = name
  }

  public func constant(_ tensor: Tensor) -> Value {
    apply(Op.const, [], Attributes([("value", .tensor(tensor))]))
  }

  public func constant(_ x: Double) -> Value { constant(Tensor(x)) }

  /// Emits a copy of `node` with new inputs, keeping its name and location. Used by rebuilding
  /// passes: the copy's location is the original's, not the builder's current one.
  /// `inputShapesUnchanged`: the new operands have the shapes the node's operands had, so the
  /// copy keeps the node's shape without running the shape rule again.
  public func copy(_ node: Node, inputs: [NodeID], inputShapesUnchanged: Bool = false) throws -> NodeID {
    let saved = (currentLocation, emittingGradient)
    currentLocation = node.location
    emittingGradient = node.isGradient
    defer { (currentLocation, emittingGradient) = saved }
    return try emit(node.op, inputs, node.attributes, name: node.name, knownShape: inputShapesUnchanged ? node.shape : nil)
  }

  /// The finished graph with the given roots.
  public func graph(
    name: String, declarations: [Declaration], outputs: [NamedValue], loss: NamedValue?,
    gradients: [NamedValue] = [], adjoints: [Adjoint] = []
  ) -> Graph {
    Graph(
      name: name, nodes: nodes, declarations: declarations, outputs: outputs, loss: loss,
      gradients: gradients, adjoints: adjoints)
  }
}
