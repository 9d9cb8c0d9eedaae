import FFCDiagnostics
import FFCTensor

public struct NodeID: Hashable, Comparable, Sendable, CustomStringConvertible {
  public let index: Int
  @inlinable public init(_ index: Int) { self.index = index }
  @inlinable public static func < (a: NodeID, b: NodeID) -> Bool { a.index < b.index }
  public var description: String { "%\(index)" }
}

/// One operation in SSA form. Nodes are values; a graph stores them in topological order.
///
/// The fields live in one immutable object that copies share, so copying a node (passes rebuild
/// graphs of many thousands of nodes several times per compile) retains one reference instead of
/// one per field (op, operands, attributes, shape, name, location). Setting a field makes a new
/// object (only naming and the few passes that retag a node do), except a name set on fields no
/// other node holds, which is set in place.
public struct Node: Sendable {
  // Inlinable, with the getters below: passes in other modules read these fields at every node of
  // every rebuild, and a call per field read was a fiftieth of a compile.
  @usableFromInline var fields: Fields

  // Unchecked: `name` is set only on an object no other node holds (`Node.name`'s setter).
  @usableFromInline final class Fields: @unchecked Sendable {
    @usableFromInline let op: Op
    @usableFromInline let inputs: [NodeID]
    @usableFromInline let attributes: Attributes
    @usableFromInline let shape: Shape
    @exclusivity(unchecked) @usableFromInline var name: String?
    /// The location, in an object that copies and the nodes made while rewriting this one share:
    /// a `SourceRange?` copied in place goes through its generic value witness (a hundred
    /// instructions, and as many to destroy it), at every node made or copied.
    @usableFromInline let place: Place?
    @inlinable var location: SourceRange? { place?.range }
    @usableFromInline let isGradient: Bool
    /// `NodeTable.hash` of op, operands and attributes, made once: every rebuild files every
    /// node it keeps, and a leaf's hash reads its attributes' strings.
    let hash: Int
    /// Where the node this one copies (with other operand numbers) stood in the graph it was
    /// copied from, or -1: where verification looks for an already checked twin.
    let origin: Int

    init(
      op: Op, inputs: [NodeID], attributes: Attributes, shape: Shape, name: String?,
      place: Place?, isGradient: Bool, hash: Int? = nil, origin: Int = -1
    ) {
      self.op = op
      self.inputs = inputs
      self.attributes = attributes
      self.shape = shape
      self.name = name
      self.place = place
      self.isGradient = isGradient
      self.hash = hash ?? NodeTable.hash(op, inputs, attributes)
      self.origin = origin
    }

    /// `original`'s fields with other operands (their hash `hash`), copied from `original`.
    init(renumbering original: Fields, _ inputs: [NodeID], hash: Int, origin: Int) {
      self.op = original.op
      self.inputs = inputs
      self.attributes = original.attributes
      self.shape = original.shape
      self.name = original.name
      self.place = original.place
      self.isGradient = original.isGradient
      self.hash = hash
      self.origin = origin
    }

    /// These fields with one or more of the settable ones changed.
    func with(
      name: String?? = nil, location: SourceRange?? = nil, isGradient: Bool? = nil
    ) -> Fields {
      Fields(
        op: op, inputs: inputs, attributes: attributes, shape: shape, name: name ?? self.name,
        place: location.map { $0.map(Place.init) } ?? place,
        isGradient: isGradient ?? self.isGradient,
        hash: hash, origin: origin)
    }
  }

  @inlinable public var op: Op { fields.op }
  @inlinable public var inputs: [NodeID] { fields.inputs }
  @inlinable public var attributes: Attributes { fields.attributes }
  @inlinable public var shape: Shape { fields.shape }
  /// The user's name for this value (`h1`), or a gradient's (`dL/dh1`), if any.
  public var name: String? {
    @inlinable get { fields.name }
    set {
      // Fields no other node holds (a node the builder just made) are renamed in place: making
      // a new object for every name a program or its gradient gives was a hundredth of a compile.
      if isKnownUniquelyReferenced(&fields) {
        fields.name = newValue
      } else {
        fields = fields.with(name: .some(newValue))
      }
    }
  }
  /// Where in the user's program this value comes from; gradient nodes carry the location of the
  /// forward node they differentiate. Kept by every pass.
  public var location: SourceRange? {
    @inlinable get { fields.location }
    set { fields = fields.with(location: .some(newValue)) }
  }
  /// True for nodes that `Differentiate` added.
  public var isGradient: Bool {
    @inlinable get { fields.isGradient }
    set { fields = fields.with(isGradient: newValue) }
  }

  public init(
    op: Op, inputs: [NodeID], attributes: Attributes, shape: Shape, name: String? = nil,
    location: SourceRange? = nil, isGradient: Bool = false
  ) {
    fields = Fields(
      op: op, inputs: inputs, attributes: attributes, shape: shape, name: name,
      place: location.map(Place.init), isGradient: isGradient)
  }

  /// A node that takes `original`'s place (fusion's node for a group, at its root): its name,
  /// gradient flag and location, the location shared with it, not copied (a `SourceRange`
  /// copied goes through its generic value witness).
  public init(
    op: Op, inputs: [NodeID], attributes: Attributes, shape: Shape, replacing original: Node
  ) {
    fields = Fields(
      op: op, inputs: inputs, attributes: attributes, shape: shape, name: original.name,
      place: original.place, isGradient: original.isGradient)
  }

  /// A node whose `NodeTable.hash` the caller has already computed, at a shared location.
  init(
    op: Op, inputs: [NodeID], attributes: Attributes, shape: Shape, name: String?,
    place: Place?, isGradient: Bool, hash: Int, origin: Int = -1
  ) {
    fields = Fields(
      op: op, inputs: inputs, attributes: attributes, shape: shape, name: name,
      place: place, isGradient: isGradient, hash: hash, origin: origin)
  }

  /// A location that nodes share (`Fields.place`); never changed once made.
  @usableFromInline final class Place: Sendable {
    @usableFromInline let range: SourceRange
    init(_ range: SourceRange) { self.range = range }
  }

  /// The shared location object (`Fields.place`), for a builder giving it to the nodes it makes.
  var place: Place? { fields.place }

  /// `NodeTable.hash(op, inputs, attributes)`, kept with the node.
  var tableHash: Int { fields.hash }

  /// The index of the node this one is a renumbered copy of, in the graph it was copied from
  /// (-1: none). Only a hint: verification checks the twin's fields before it relies on it.
  var origin: Int { fields.origin }

  /// Whether `other` has this node's op, attributes and shape and as many operands (what its
  /// shape rule reads besides the operands' shapes), compared in place without copying a field.
  func hasSameRule(as other: Node) -> Bool { Self.hasSameRule(fields, other.fields) }

  /// `hasSameRule` on two nodes' fields objects. The cheap tests come first: the shape and the
  /// attributes are compared element by element only when the op and operand count agree.
  @inline(__always) static func hasSameRule(_ a: Fields, _ b: Fields) -> Bool {
    if a === b { return true }
    return a.op === b.op && a.inputs.count == b.inputs.count && a.shape == b.shape
      && a.attributes == b.attributes
  }

  /// `body` applied to the fields of `nodes[index]`, borrowed without a retain. Safe because
  /// `nodes` (borrowed by the caller for the whole call) holds the object while `body` runs, and
  /// `body` only reads it: retained, each fields object was retained and released around every
  /// opaque call `body` makes (comparing shapes calls into FFCTensor).
  @inline(__always) static func borrowingFields<R>(
    of nodes: [Node], _ index: Int, _ body: (Fields) -> R
  ) -> R {
    Unmanaged.passUnretained(nodes[index].fields)._withUnsafeGuaranteedRef(body)
  }

  /// Whether `other` has this node's shape, compared in place.
  @inline(__always) func hasSameShape(as other: Node) -> Bool {
    fields === other.fields || fields.shape == other.fields.shape
  }

  /// Whether `other` is a copy of this very node (not merely an equal one): what a rebuild that
  /// kept a node leaves, so verification need not check it again.
  public func isCopy(of other: Node) -> Bool { fields === other.fields }

  /// This node with other operands (the same op, attributes, shape, name, location and flag).
  public func withInputs(_ inputs: [NodeID]) -> Node {
    Node(
      op: op, inputs: inputs, attributes: attributes, shape: shape, name: name,
      location: location, isGradient: isGradient)
  }

  /// `withInputs`, noting that this node stood at `index` of the graph it is copied from (a pass
  /// that builds its nodes without a builder, like fusion, records its renumbered copies so:
  /// verification then checks each against that node instead of running its shape rule again).
  public func renumbered(_ inputs: [NodeID], from index: Int) -> Node {
    withInputs(inputs, from: index)
  }

  /// This node with other operands, whose `NodeTable.hash` the caller has made, noting that it
  /// stood at `origin` of the graph it is copied from. The new fields are made from this node's
  /// in place, not from copies of them passed in.
  func renumbered(_ inputs: [NodeID], hash: Int, origin: Int) -> Node {
    Node(fields: Fields(renumbering: fields, inputs, hash: hash, origin: origin))
  }

  @usableFromInline init(fields: Fields) { self.fields = fields }

  /// `withInputs`, noting that this node stood at `index` of the graph it is copied from. The
  /// fields are copied from this node's in place (`renumbered(_:hash:origin:)`): passing each out
  /// to the general initialiser retained and released it per copy, at every node DCE and fusion
  /// renumber.
  func withInputs(_ inputs: [NodeID], from index: Int) -> Node {
    // The same operands (a leaf or constant moved, say): the same hash, not made again.
    let hash = inputs == self.inputs ? tableHash : NodeTable.hash(op, inputs, attributes)
    return renumbered(inputs, hash: hash, origin: index)
  }

  /// The constant this node holds, if it is a `const`.
  public var constantValue: Tensor? {
    // Leaves first (an inlined bit test): most nodes asked are not, and reading `Op.const` calls
    // its lazy initialiser's accessor, around which callers retained what they held.
    op.isLeaf && op === Op.const ? attributes.tensor("value") : nil
  }
}
