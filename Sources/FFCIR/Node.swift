import FFCDiagnostics
import FFCTensor

public struct NodeID: Hashable, Comparable, Sendable, CustomStringConvertible {
  public let index: Int
  public init(_ index: Int) { self.index = index }
  public static func < (a: NodeID, b: NodeID) -> Bool { a.index < b.index }
  public var description: String { "%\(index)" }
}

/// One operation in SSA form. Nodes are values; a graph stores them in topological order.
public struct Node: Sendable {
  public let op: Op
  public let inputs: [NodeID]
  public let attributes: Attributes
  public let shape: Shape
  /// The user's name for this value (`h1`), or a gradient's (`dL/dh1`), if any.
  public var name: String?
  /// Where in the user's program this value comes from; gradient nodes carry the location of the
  /// forward node they differentiate. Kept by every pass.
  public var location: SourceRange?
  /// True for nodes that `Differentiate` added.
  public var isGradient: Bool

  public init(
    op: Op, inputs: [NodeID], attributes: Attributes, shape: Shape, name: String? = nil,
    location: SourceRange? = nil, isGradient: Bool = false
  ) {
    self.op = op
    self.inputs = inputs
    self.attributes = attributes
    self.shape = shape
    self.name = name
    self.location = location
    self.isGradient = isGradient
  }

  /// The constant this node holds, if it is a `const`.
  public var constantValue: Tensor? {
    op === Op.const ? attributes.tensor("value") : nil
  }
}
