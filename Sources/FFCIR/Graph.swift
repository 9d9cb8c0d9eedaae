import FFCDiagnostics
import FFCTensor

/// What a leaf of the program is: where its value comes from.
public enum DeclarationKind: String, Sendable {
  case input, target, label, param, const
}

/// A declared leaf: `input X[N, 3]`, `label y[N]`, `param W1[3, 8] = he`.
public struct Declaration: Sendable {
  public let name: String
  public let kind: DeclarationKind
  public var node: NodeID
  public let shape: Shape
  /// For params: how the first value is made.
  public let initializer: Initializer?
  /// For inputs, targets and labels: the value used when data gives none.
  public let defaultValue: Tensor?
  /// For param matrices: the axis that counts inputs (0 for `X @ W`, 1 for `W @ x`).
  public let fanInAxis: Int
  public let location: SourceRange?

  public init(
    name: String, kind: DeclarationKind, node: NodeID, shape: Shape,
    initializer: Initializer? = nil,
    defaultValue: Tensor? = nil, fanInAxis: Int = 0, location: SourceRange? = nil
  ) {
    self.name = name
    self.kind = kind
    self.node = node
    self.shape = shape
    self.initializer = initializer
    self.defaultValue = defaultValue
    self.fanInAxis = fanInAxis
    self.location = location
  }
}

extension Declaration {
  /// Whether the default is one number filling a shape too large to spread while lowering
  /// (`Lowering.largestFill`): it is spread when the program runs, within the memory budget.
  public var defaultIsFill: Bool { defaultValue?.isScalar == true && shape.rank > 0 }

  /// The shape of the value the default gives: the declared one for a fill.
  public var defaultShape: [Int]? {
    defaultIsFill ? shape.concrete : defaultValue?.shape
  }

  public func withFanInAxis(_ axis: Int) -> Declaration {
    Declaration(
      name: name, kind: kind, node: node, shape: shape, initializer: initializer,
      defaultValue: defaultValue, fanInAxis: axis, location: location)
  }
}

/// A named root of the graph: an `output`, or the gradient of the loss for one parameter.
public struct NamedValue: Sendable, Equatable {
  public let name: String
  public var node: NodeID
  public init(_ name: String, _ node: NodeID) {
    self.name = name
    self.node = node
  }
}

/// The gradient of the loss for one parameter: the node that computes it, and the parameter it
/// belongs to, by its place among the graph's declarations. Passes renumber nodes but keep the
/// declarations in their places (they may append, never remove or reorder), so the link holds
/// through every pass without looking a name up; `Graph.verify` checks it.
public struct Gradient: Sendable, Equatable {
  /// The index of the parameter in `Graph.declarations`.
  public let declaration: Int
  public var node: NodeID
  public init(of declaration: Int, _ node: NodeID) {
    self.declaration = declaration
    self.node = node
  }
}

/// The gradient of the loss with respect to one named value: `dL/dh1`, its node, and the value.
public struct Adjoint: Sendable, Equatable {
  public let name: String
  public let node: NodeID
  public let of: NodeID
  /// Where the value is named, when not at its node (an alias, `y = h`).
  public let location: SourceRange?
  public init(_ name: String, _ node: NodeID, of value: NodeID, at location: SourceRange? = nil) {
    self.name = name
    self.node = node
    self.of = value
    self.location = location
  }
}

/// A second name for a value that already has one (`y = h`, or `z = x` for an input): no node of
/// its own, but `--trace` shows it where it is written.
public struct Alias: Sendable, Equatable {
  public let name: String
  public var node: NodeID
  public let location: SourceRange?
  public init(_ name: String, _ node: NodeID, at location: SourceRange?) {
    self.name = name
    self.node = node
    self.location = location
  }
}

/// An expression graph: nodes in topological order (every input precedes its user), the program's
/// declarations, and its roots. A value type, so a pass that returns a new graph cannot disturb the
/// one it was given.
public struct Graph: Sendable {
  public var name: String
  public internal(set) var nodes: [Node]
  public var declarations: [Declaration]
  public var outputs: [NamedValue]
  public var loss: NamedValue?
  /// `grad W1`: one per differentiated parameter, in declaration order.
  public var gradients: [Gradient]
  /// Set by Differentiate: the cotangent of every named value between the parameters and the loss
  /// (`dL/dh1`), in the order backpropagation computes them, including those that share a node
  /// with another (the cotangent of `u` in `y = u + b` is the cotangent of `y`). Not roots: a
  /// pass that renumbers the graph drops them, so only the unoptimised gradient graph has them
  /// (for `ffc run --trace`).
  public var adjoints: [Adjoint]
  /// Set by the frontend, kept by Differentiate: the names that only rename a value, in program
  /// order. Like `adjoints`, not roots, so a pass that renumbers drops them (for `--trace`).
  public var aliases: [Alias]

  public init(
    name: String, nodes: [Node], declarations: [Declaration], outputs: [NamedValue],
    loss: NamedValue?, gradients: [Gradient] = [], adjoints: [Adjoint] = [], aliases: [Alias] = []
  ) {
    self.name = name
    self.nodes = nodes
    self.declarations = declarations
    self.outputs = outputs
    self.loss = loss
    self.gradients = gradients
    self.adjoints = adjoints
    self.aliases = aliases
  }

  @inlinable public subscript(id: NodeID) -> Node { nodes[id.index] }

  /// Each node's aliases, in program order (empty for most).
  public var aliasesByNode: [[Alias]] {
    var byNode = [[Alias]](repeating: [], count: nodes.count)
    for alias in aliases where alias.node.index < nodes.count {
      byNode[alias.node.index].append(alias)
    }
    return byNode
  }

  public var parameters: [Declaration] { declarations.filter { $0.kind == .param } }

  /// The parameter a gradient belongs to.
  public func parameter(of gradient: Gradient) -> Declaration { declarations[gradient.declaration] }

  /// Every root the graph must keep: outputs, the loss, the gradients, then the declared leaves.
  public var roots: [NodeID] {
    outputs.map(\.node) + (loss.map { [$0.node] } ?? []) + gradients.map(\.node)
      + declarations.map(\.node)
  }

  /// Calls `body` with every root, in the order of `roots`, without making the array (the pass
  /// manager asks after every pass, and a deep net declares thousands of leaves).
  public func forEachRoot(_ body: (NodeID) -> Void) {
    for output in outputs { body(output.node) }
    if let loss { body(loss.node) }
    for gradient in gradients { body(gradient.node) }
    // By index: copying each declaration out (its name, shape, initialiser) cost more than the
    // call.
    for index in declarations.indices { body(declarations[index].node) }
  }

  /// Whether `other` has the same roots (`roots == other.roots`, without making either array).
  func hasSameRoots(as other: Graph) -> Bool {
    outputs.count == other.outputs.count && gradients.count == other.gradients.count
      && declarations.count == other.declarations.count && loss?.node == other.loss?.node
      && outputs.indices.allSatisfy { outputs[$0].node == other.outputs[$0].node }
      && gradients.indices.allSatisfy { gradients[$0].node == other.gradients[$0].node }
      && declarations.indices.allSatisfy { declarations[$0].node == other.declarations[$0].node }
  }

  public var gradientNodeCount: Int { nodes.count { $0.isGradient } }

  /// The same roots with every node id mapped through `map` (used by passes that renumber).
  public func remappingRoots(_ map: (NodeID) -> NodeID) -> (
    declarations: [Declaration], outputs: [NamedValue], loss: NamedValue?, gradients: [Gradient]
  ) {
    // A declaration is written only when its node moved: the array is then copied at the first
    // write, not at every rebuild (declared leaves precede the changes passes usually make, and
    // copying a deep net's thousands of declarations, names and shapes retained, cost more than
    // the rest of this).
    var declarations = self.declarations
    for i in declarations.indices {
      let node = map(declarations[i].node)
      if node != declarations[i].node { declarations[i].node = node }
    }
    var outputs = self.outputs
    for i in outputs.indices { outputs[i].node = map(outputs[i].node) }
    let loss = self.loss.map { NamedValue($0.name, map($0.node)) }
    var gradients = self.gradients
    for i in gradients.indices { gradients[i].node = map(gradients[i].node) }
    return (declarations, outputs, loss, gradients)
  }
}

extension Graph {
  /// For every declaration whose value reaches an op as class labels, the number of classes
  /// (the smallest, if several ops read it), in declaration order.
  public func labelClasses() -> [(name: String, classes: Int)] {
    var classesByNode: [Int: Int] = [:]
    for node in nodes {
      guard let rule = node.op.classLabels,
        let (operand, classes) = rule(node.inputs.map { self[$0].shape }, node.attributes),
        operand < node.inputs.count
      else { continue }
      let index = node.inputs[operand].index
      classesByNode[index] = Swift.min(classes, classesByNode[index] ?? Int.max)
    }
    return declarations.compactMap { d in classesByNode[d.node.index].map { (d.name, $0) } }
  }
}
