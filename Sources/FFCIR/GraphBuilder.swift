import FFCDiagnostics
import FFCTensor

/// Builds a graph node by node. Identical nodes (same op, inputs and attributes) are created once:
/// hash-consing, which is common-subexpression elimination for free. Every emitted node runs its
/// op's shape rule. New nodes take the builder's current location and gradient flag, so a pass that
/// rewrites or differentiates a node tags what it creates with that node's source location.
public final class GraphBuilder {
  /// Ops are compared by identity (each op is one shared value), which hashes much faster than
  /// its name: passes rebuild graphs of thousands of nodes several times per compile.
  ///
  /// The hash leaves the attributes out (hashing their strings was a tenth of a compile) except
  /// for leaves, which only their attributes tell apart; nodes with the same op and operands but
  /// different attributes are rare and still compare unequal.
  private struct Key: Hashable {
    let op: ObjectIdentifier
    let inputs: [NodeID]
    let attributes: Attributes

    func hash(into hasher: inout Hasher) {
      hasher.combine(op)
      hasher.combine(inputs)
      if inputs.isEmpty { hasher.combine(attributes) }
    }
  }

  // Unchecked exclusivity: the builder is used by one pass at a time and never shared, and the
  // run-time access checks on these two were a thirtieth of a compile.
  @exclusivity(unchecked) private var storage: [Node] = []
  @exclusivity(unchecked) private var cache: [Key: NodeID] = [:]
  /// Set while a rebuild has found nothing to change: the first `adopted` nodes of `storage` are
  /// the old graph's, taken as they are (no copy, no hashing), and the rest of `storage` is the
  /// old graph's tail, not yet part of this graph. The first emission makes them ordinary nodes.
  private var adopted: Int?

  /// The nodes built so far.
  public var nodes: [Node] { adopted.map { Array(storage[..<$0]) } ?? storage }
  public var count: Int { adopted ?? storage.count }

  public var currentLocation: SourceRange?
  public var emittingGradient = false
  /// The first shape error met by a non-throwing helper (`a + b` in a derivative rule). A pass
  /// checks it after building: it means a rule produced an ill-shaped graph, an internal error.
  public private(set) var failure: ShapeError?

  public init() {}

  /// A builder expected to make about `capacity` nodes (a rebuild of a graph that size): its
  /// tables are sized once instead of growing.
  public init(capacity: Int) {
    storage.reserveCapacity(capacity)
    cache.reserveCapacity(capacity)
  }

  /// Starts from an existing graph's nodes (used by passes that only append, like Differentiate).
  public init(continuing graph: Graph) {
    storage = graph.nodes
    indexPrefix(graph.nodes.count)
  }

  /// A builder for rebuilding `graph` (hash-consed, so free of duplicates): `adoptNext` takes its
  /// nodes one by one as they are, for as long as the rebuild changes nothing.
  init(rebuilding graph: Graph) {
    storage = graph.nodes
    adopted = 0
  }

  /// Takes the old graph's next node unchanged (only before anything was emitted).
  func adoptNext() {
    guard let count = adopted else { preconditionFailure("adoptNext after an emission") }
    adopted = count + 1
  }

  /// Whether every node so far was adopted unchanged.
  var isAdopting: Bool { adopted != nil }

  /// Makes the adopted nodes ordinary ones (dropping the old tail) and indexes them.
  private func materialize() {
    guard let count = adopted else { return }
    adopted = nil
    storage.removeSubrange(count...)
    storage.reserveCapacity(storage.count * 2)
    indexPrefix(count)
  }

  private func indexPrefix(_ count: Int) {
    cache.reserveCapacity(count * 2)
    for index in 0..<count {
      let key = Key(
        op: ObjectIdentifier(storage[index].op), inputs: storage[index].inputs,
        attributes: storage[index].attributes)
      if cache[key] == nil { cache[key] = NodeID(index) }
    }
  }

  public subscript(id: NodeID) -> Node { storage[id.index] }

  /// A node's shape, without copying the whole node out.
  public func shape(of id: NodeID) -> Shape { storage[id.index].shape }

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
    materialize()
    let key = Key(op: ObjectIdentifier(op), inputs: inputs, attributes: attributes)
    if let existing = cache[key] {
      // A name given while building gradients is not put on a forward node that turned out equal.
      if let name, storage[existing.index].name == nil,
        !emittingGradient || storage[existing.index].isGradient
      {
        storage[existing.index].name = name
      }
      return existing
    }
    guard op.accepts(operandCount: inputs.count) else {
      throw ShapeError("'\(op.name)' takes \(op.arity) operands, got \(inputs.count)")
    }
    let shape = try knownShape ?? op.inferShape(inputs.map { storage[$0.index].shape }, attributes)
    let id = NodeID(storage.count)
    storage.append(
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
    if emittingGradient && !storage[id.index].isGradient { return }
    materialize()
    storage[id.index].name = name
  }

  public func constant(_ tensor: Tensor) -> Value {
    apply(Op.const, [], Attributes([("value", .tensor(tensor))]))
  }

  public func constant(_ x: Double) -> Value { constant(Tensor(x)) }

  /// Emits a copy of `node` with new inputs, keeping its name and location. Used by rebuilding
  /// passes: the copy's location is the original's, not the builder's current one.
  /// `inputShapesUnchanged`: the new operands have the shapes the node's operands had, so the
  /// copy keeps the node's shape without running the shape rule again.
  public func copy(_ node: Node, inputs: [NodeID], inputShapesUnchanged: Bool = false) throws
    -> NodeID
  {
    let saved = (currentLocation, emittingGradient)
    currentLocation = node.location
    emittingGradient = node.isGradient
    defer { (currentLocation, emittingGradient) = saved }
    return try emit(
      node.op, inputs, node.attributes, name: node.name,
      knownShape: inputShapesUnchanged ? node.shape : nil)
  }

  /// The finished graph with the given roots.
  public func graph(
    name: String, declarations: [Declaration], outputs: [NamedValue], loss: NamedValue?,
    gradients: [Gradient] = [], adjoints: [Adjoint] = []
  ) -> Graph {
    materialize()
    return Graph(
      name: name, nodes: storage, declarations: declarations, outputs: outputs, loss: loss,
      gradients: gradients, adjoints: adjoints)
  }
}
