import FFCDiagnostics
import FFCTensor

/// Builds a graph node by node. Identical nodes (same op, inputs and attributes) are created once:
/// hash-consing, which is common-subexpression elimination for free. Every emitted node runs its
/// op's shape rule. New nodes take the builder's current location and gradient flag, so a pass that
/// rewrites or differentiates a node tags what it creates with that node's source location.
public final class GraphBuilder {
  // Unchecked exclusivity: the builder is used by one pass at a time and never shared, and the
  // run-time access checks on these two were a thirtieth of a compile.
  @exclusivity(unchecked) @usableFromInline var storage: [Node] = []
  /// Identical nodes (same op, inputs and attributes) are made once: the index that finds them.
  @exclusivity(unchecked) private var table = NodeTable()
  /// Set while a rebuild has found nothing to change: the first `adopted` nodes of `storage` are
  /// the old graph's, taken as they are (no copy, no hashing), and the rest of `storage` is the
  /// old graph's tail, not yet part of this graph. The first emission makes them ordinary nodes.
  private var adopted: Int?
  /// The shapes of the operands of the node being emitted, for its shape rule (`emit`).
  @exclusivity(unchecked) private var operandShapes: [Shape] = []
  /// Scalar constants already in the graph, by bit pattern (a few: `constantNode`).
  @exclusivity(unchecked) private var scalarConstants: [(bits: UInt64, node: NodeID)] = []

  /// The nodes built so far.
  public var nodes: [Node] { adopted.map { Array(storage[..<$0]) } ?? storage }
  public var count: Int { adopted ?? storage.count }

  /// The location new nodes take: the one set, or that of the node a rebuild is at.
  public var currentLocation: SourceRange? {
    get {
      if locationIndex >= 0 { return locationNodes[locationIndex].location }
      if let locationNode { return locationNode.location }
      return setPlace?.range
    }
    set {
      setPlace = newValue.map(Node.Place.init)
      locationNode = nil
      locationIndex = -1
    }
  }
  @exclusivity(unchecked) private var setPlace: Node.Place?
  /// Set by a rebuild for each node it visits, instead of `currentLocation`: new nodes take this
  /// node's location, read only when one is made (copying a location out of every node was a
  /// fortieth of a compile).
  @exclusivity(unchecked) private var locationNode: Node?
  /// The nodes a rebuild visits, and the one it is at (-1: none): `locationNode` by its place,
  /// so that visiting a node does not retain it (and release the last).
  @exclusivity(unchecked) private var locationNodes: [Node] = []
  @exclusivity(unchecked) private var locationIndex = -1

  /// New nodes take `node`'s location (as `currentLocation = node.location`, read lazily).
  func takeLocation(of node: Node) {
    locationNode = node
    locationIndex = -1
  }

  /// New nodes take the location of the node at `index` of `nodes` (`takeLocation(of:)`): a
  /// rebuild passes its graph's nodes once (`takingLocations(from:)`), then only places.
  func takeLocation(at index: Int) {
    locationIndex = index
  }

  /// Where `takeLocation(at:)` looks nodes up.
  func takingLocations(from nodes: [Node]) {
    locationNodes = nodes
    locationNode = nil
    locationIndex = -1
  }
  /// While a function's body is lowered: where the outermost call starts, added to the location
  /// of every node made (`SourceRange.call`). Unchecked exclusivity, as `storage`: these are
  /// read at every emission, and their run-time access checks were a two-hundredth of a compile.
  @exclusivity(unchecked) public var callSite: SourceLocation?
  @exclusivity(unchecked) public var emittingGradient = false
  /// Set while reverse mode builds cotangents: a product, quotient, negation or sum with a
  /// selection whose branch is 0 is built with the selection outside (`Op.cotangentRules`), so a
  /// branch not taken never multiplies a derivative that is inf or NaN there.
  @exclusivity(unchecked) var buildsCotangents = false

  public init() {}

  /// A builder expected to make about `capacity` nodes (a rebuild of a graph that size): its
  /// tables are sized once instead of growing.
  public init(capacity: Int) {
    storage.reserveCapacity(capacity)
    table.reserveCapacity(capacity)
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

  /// Files the first `count` nodes. Each is filed without looking for an equal one before it: if
  /// there were two, a lookup still finds the earlier one (it sits earlier on the probe path),
  /// so the table answers as if the later one were left out.
  private func indexPrefix(_ count: Int) {
    table.reserveCapacity(count * 2)
    table.appendNew(storage, 0..<count)
  }

  @inlinable public subscript(id: NodeID) -> Node { storage[id.index] }

  /// A node's shape, without copying the whole node out.
  @inlinable public func shape(of id: NodeID) -> Shape { storage[id.index].shape }

  /// Whether node `id` has `node`'s shape, compared in place.
  @inline(__always) func hasShape(of node: Node, at id: NodeID) -> Bool {
    storage[id.index].hasSameShape(as: node)
  }

  @inlinable public func value(_ id: NodeID) -> Value { Value(id: id, builder: self) }

  /// Emits `op(inputs)` or returns the identical node made before.
  public func emit(
    _ op: Op, _ inputs: [NodeID], _ attributes: Attributes = .none, name: String? = nil
  ) throws -> NodeID {
    materialize()
    let hash = NodeTable.hash(op, inputs, attributes)
    let isGradient = emittingGradient
    if let existing = filed(op, inputs, attributes, hash: hash, name: name, isGradient: isGradient)
    {
      return existing
    }
    try checkArity(op, inputs.count)
    let shape = try inferredShape(op, inputs, attributes)
    return append(
      op, inputs, attributes, hash: hash, shape: shape, name: name,
      place: newPlace, isGradient: isGradient)
  }

  /// The node filed before as `op(inputs)` with `attributes`, if any, given `name` when it has
  /// none (a name given while building gradients is not put on a forward node that turned out
  /// equal).
  @inline(__always) private func filed(
    _ op: Op, _ inputs: [NodeID], _ attributes: Attributes, hash: Int, name: String?,
    isGradient: Bool
  ) -> NodeID? {
    guard let existing = table.find(op, inputs, attributes, hash: hash, in: storage) else {
      return nil
    }
    if let name, storage[existing.index].name == nil,
      !isGradient || storage[existing.index].isGradient
    {
      storage[existing.index].name = name
    }
    return existing
  }

  @inline(__always) private func checkArity(_ op: Op, _ count: Int) throws {
    guard op.accepts(operandCount: count) else {
      throw ShapeError("'\(op.name)' takes \(op.arity) operands, got \(count)")
    }
  }

  /// The shape `op`'s rule gives for `inputs` (nodes of this builder) and `attributes`.
  private func inferredShape(_ op: Op, _ inputs: [NodeID], _ attributes: Attributes) throws
    -> Shape
  {
    // One array of operand shapes for every emission, fitted in place (an array made per
    // emission was a tenth of what emitting a node cost).
    while operandShapes.count > inputs.count { operandShapes.removeLast() }
    for position in inputs.indices {
      let operandShape = storage[inputs[position].index].shape
      if position < operandShapes.count {
        operandShapes[position] = operandShape
      } else {
        operandShapes.append(operandShape)
      }
    }
    return try op.inferShape(operandShapes, attributes)
  }

  /// Emits a node whose shape cannot be wrong: a leaf, whose shape is its attributes' own, or a
  /// scalar spread by `broadcast_to`, which fits every shape.
  private func emitShaped(_ op: Op, _ inputs: [NodeID], _ attributes: Attributes, shape: Shape)
    -> NodeID
  {
    materialize()
    let hash = NodeTable.hash(op, inputs, attributes)
    if let existing = table.find(op, inputs, attributes, hash: hash, in: storage) {
      return existing
    }
    return append(
      op, inputs, attributes, hash: hash, shape: shape, name: nil,
      place: newPlace,
      isGradient: emittingGradient)
  }

  /// The location a node made now takes: `currentLocation`, made by the call at `callSite` if
  /// any (`SourceRange.called`), as an object shared with the node it comes from where it is the
  /// same (copying the range itself went through its generic value witness, twice a node made).
  private var newPlace: Node.Place? {
    let place: Node.Place?
    if locationIndex >= 0 {
      place = locationNodes[locationIndex].place
    } else if let locationNode {
      place = locationNode.place
    } else {
      place = setPlace
    }
    guard let callSite, let range = place?.range, range.call == nil else { return place }
    return Node.Place(range.called(at: callSite))
  }

  private func append(
    _ op: Op, _ inputs: [NodeID], _ attributes: Attributes, hash: Int, shape: Shape, name: String?,
    place: Node.Place?, isGradient: Bool, origin: Int = -1
  ) -> NodeID {
    let id = NodeID(storage.count)
    storage.append(
      Node(
        op: op, inputs: inputs, attributes: attributes, shape: shape, name: name,
        place: place, isGradient: isGradient, hash: hash, origin: origin))
    table.append(id.index, hash: hash, isNew: true)
    return id
  }

  /// Emission for derivative rules and rewrites, written as ordinary math on values: a shape
  /// error does not throw but makes a failed value, and a value built from a failed one fails
  /// too, so the rule's result carries any failure inside it (`Value.nodeID` throws it).
  public func apply(_ op: Op, _ inputs: [Value], _ attributes: Attributes = .none) -> Value {
    if let failed = inputs.first(where: \.isFailed) { return failed }
    if buildsCotangents, attributes == .none, let selected = Op.selectedForm(op, inputs, self) {
      return selected
    }
    do {
      return value(try emit(op, inputs.map(\.id), attributes))
    } catch {
      return failed((error as? ShapeError) ?? ShapeError("\(error)"), standIn: inputs.first)
    }
  }

  /// A failed value; its stand-in (the first operand, or a constant) only answers a rule's
  /// questions about shapes.
  func failed(_ failure: ShapeError, standIn: Value?) -> Value {
    let standIn = standIn?.id ?? constantNode(Tensor(0))
    failures.append(failure)
    return Value(failureAt: failures.count - 1, standIn: standIn, builder: self)
  }

  /// Why each failed value of this builder could not be built, by `Value.failureIndex` (a rule
  /// that fails makes one or two: a failed value spreads by copying, not by adding here).
  @exclusivity(unchecked) @usableFromInline var failures: [ShapeError] = []

  /// Names a node; a rebuilt forward node never takes a gradient's name.
  public func rename(_ id: NodeID, _ name: String) {
    if emittingGradient && !storage[id.index].isGradient { return }
    materialize()
    storage[id.index].name = name
  }

  public func constant(_ tensor: Tensor) -> Value { value(constantNode(tensor)) }

  public func constant(_ x: Double) -> Value { constant(Tensor(x)) }

  /// A constant node: its shape is the tensor's, so emitting it cannot fail.
  public func constantNode(_ tensor: Tensor) -> NodeID {
    guard tensor.shape.isEmpty, tensor.scalars.count == 1 else {
      return emitShaped(
        Op.const, [], Attributes([("value", .tensor(tensor))]), shape: Shape(tensor.shape))
    }
    // A scalar asked for again (a derivative rule's 1 or 2, at every node it differentiates) is
    // the node made or found the first time: the builder only appends, so it stays that node.
    // Finding it through the table made its attributes and hashed the tensor every time.
    materialize()
    let bits = tensor.scalars[0].bitPattern
    for entry in scalarConstants where entry.bits == bits { return entry.node }
    let node = emitShaped(
      Op.const, [], Attributes([("value", .tensor(tensor))]), shape: Shape(tensor.shape))
    if scalarConstants.count < 16 { scalarConstants.append((bits, node)) }
    return node
  }

  /// `x` spread to `shape` (the zero gradient of a parameter the loss does not reach, the seed
  /// 1 of reverse mode): a scalar broadcasts to every shape, so this cannot fail.
  public func filled(_ x: Double, shape: Shape) -> NodeID {
    let scalar = constantNode(Tensor(x))
    if shape == .scalar { return scalar }
    return emitShaped(
      Op.broadcastTo, [scalar], Attributes([("shape", .shape(shape))]), shape: shape)
  }

  /// An `input` or `param` leaf of `shape` named `name`: a leaf has no operands and takes its
  /// shape from its attributes, so emitting one cannot fail.
  public func leaf(_ op: Op, name: String, shape: Shape) -> NodeID {
    precondition(op === Op.input || op === Op.param, "'\(op.name)' is not a declared leaf")
    return emitShaped(
      op, [], Attributes([("name", .string(name)), ("shape", .shape(shape))]), shape: shape)
  }

  /// Emits a copy of `node` with new inputs, keeping its name and location. Used by rebuilding
  /// passes: the copy's location is the original's, not the builder's current one.
  /// `inputShapesUnchanged`: the new operands have the shapes the node's operands had, so the
  /// copy keeps the node's shape without running the shape rule again.
  public func copy(_ node: Node, inputs: [NodeID], inputShapesUnchanged: Bool = false) throws
    -> NodeID
  {
    try copy(node, inputs: inputs, inputShapesUnchanged: inputShapesUnchanged, from: -1)
  }

  /// `copy`, noting that `node` stood at `index` of the graph being rebuilt (where verification
  /// finds its checked twin when the copy differs from it only in operand numbers).
  ///
  /// `emit` with the node's own op, attributes, name, location and flag, read from `node` where
  /// they are needed instead of passed out of it: passing the five fields retained and released
  /// each of them at every node a rebuild copies (a twentieth of a compile).
  func copy(_ node: Node, inputs: [NodeID], inputShapesUnchanged: Bool, from index: Int) throws
    -> NodeID
  {
    materialize()
    // A copy with the original's operands has the original's hash, made once with the node.
    let sameInputs = node.inputs == inputs
    let hash = sameInputs ? node.tableHash : NodeTable.hash(node.op, inputs, node.attributes)
    if let existing = filed(
      node.op, inputs, node.attributes, hash: hash, name: node.name, isGradient: node.isGradient)
    {
      return existing
    }
    try checkArity(node.op, inputs.count)
    // The very node, kept as it is (not made again) when the copy has its operands and shape,
    // so a rebuild leaves unchanged nodes shared with the old graph.
    if inputShapesUnchanged {
      if sameInputs { return appendKept(node, hash: hash) }
      return append(renumbering: node, inputs, hash: hash, origin: index)
    }
    let shape = try inferredShape(node.op, inputs, node.attributes)
    if sameInputs, node.shape == shape { return appendKept(node, hash: hash) }
    return append(
      node.op, inputs, node.attributes, hash: hash, shape: shape, name: node.name,
      place: node.place, isGradient: node.isGradient, origin: index)
  }

  /// Appends `node` itself and files it.
  @inline(__always) private func appendKept(_ node: Node, hash: Int) -> NodeID {
    storage.append(node)
    table.append(storage.count - 1, hash: hash, isNew: true)
    return NodeID(storage.count - 1)
  }

  /// Appends `node` with other operands (its shape kept) and files it.
  private func append(renumbering node: Node, _ inputs: [NodeID], hash: Int, origin: Int)
    -> NodeID
  {
    let id = NodeID(storage.count)
    storage.append(node.renumbered(inputs, hash: hash, origin: origin))
    table.append(id.index, hash: hash, isNew: true)
    return id
  }

  /// The finished graph with the given roots.
  public func graph(
    name: String, declarations: [Declaration], outputs: [NamedValue], loss: NamedValue?,
    gradients: [Gradient] = [], adjoints: [Adjoint] = [], aliases: [Alias] = []
  ) -> Graph {
    materialize()
    return Graph(
      name: name, nodes: storage, declarations: declarations, outputs: outputs, loss: loss,
      gradients: gradients, adjoints: adjoints, aliases: aliases)
  }
}
