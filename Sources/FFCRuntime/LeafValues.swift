import FFCIR
import FFCTensor

/// A problem with the values a program is run on (a missing input, a shape that does not match).
public struct EvaluationError: Error, Sendable, CustomStringConvertible {
  public let message: String
  public let location: SourceRange?
  /// The precision that cannot hold a value the program or its data gives (1e39 in f32): a wider
  /// one would compute it. The caller knows how that is chosen and says so.
  public let unrepresentableIn: Precision?
  public var description: String { message }

  public init(message: String, location: SourceRange?, unrepresentableIn: Precision? = nil) {
    self.message = message
    self.location = location
    self.unrepresentableIn = unrepresentableIn
  }
}

/// The value of every declared leaf and the sizes this binds the shape symbols to (`N`), shared by
/// the reference evaluator and the compiled plan so both read data the same way. A leaf's value
/// comes from `feeds` (data, `--set`, trained parameters), else its declared default, else its
/// parameter initialiser drawn with `seed`.
public struct LeafValues: Sendable {
  public private(set) var values: [(declaration: Declaration, value: Tensor)] = []
  public private(set) var bindings: [String: Int] = [:]
  /// With `keepingStored`, the parameters whose starting values stay in a file
  /// (`Initializer.stored`), for a plan to fill its buffers from; they are not in `values`.
  public private(set) var stored: [(declaration: Declaration, value: StoredTensor)] = []

  /// `given` holds values by the declaration's index, ahead of `feeds` (training's parameters).
  /// `shapes` gives only the shapes of some leaves (by index), for callers that want `bindings`.
  /// `keepingStored` leaves a parameter loaded from a file in the file (`stored`), for the
  /// plan to read in chunks, instead of an f64 copy in `values`; `storedFeeds` are data kept in
  /// their files the same way (`DataSet.stored`).
  public init(
    _ graph: Graph, feeds: [String: Tensor], given: [Int: Tensor] = [:],
    shapes: [Int: [Int]] = [:], seed: UInt64, keepingStored: Bool = false,
    storedFeeds: [String: StoredTensor] = [:]
  ) throws(EvaluationError) {
    let classes = graph.labelClasses()
    for (index, declaration) in graph.declarations.enumerated() where declaration.kind != .const {
      if let shape = shapes[index] {
        // Only the sizes are wanted (`bindings`): no value is made.
        try bind(declaration, shape)
        continue
      }
      if given[index] == nil, feeds[declaration.name] == nil,
        let file = storedFeeds[declaration.name]
      {
        // Data kept in its file (a `.npy` array), its labels checked when it was bound.
        try bind(declaration, file.shape)
        if keepingStored {
          stored.append((declaration, file))
        } else {
          let value = file.tensor()
          if let failure = file.readFailure() {
            throw EvaluationError(message: "cannot read \(failure)", location: declaration.location)
          }
          values.append((declaration, value))
        }
        continue
      }
      if keepingStored, given[index] == nil, let file = Self.stored(declaration, feeds) {
        try bind(declaration, file.shape)
        stored.append((declaration, file))
        continue
      }
      let value: Tensor
      if let known = given[index] {
        value = known
      } else {
        value = try Self.value(of: declaration, feeds, seed: seed)
      }
      try bind(declaration, value.shape)
      if let rule = LabelRule.rule(for: declaration, classes: classes) {
        for x in value.scalars {
          if let problem = rule.check(x, subject: "'\(declaration.name)'") {
            throw EvaluationError(message: problem.message, location: declaration.location)
          }
        }
      }
      values.append((declaration, value))
    }
  }

  /// The file a parameter's starting value stays in, when nothing else gives it a value.
  public static func stored(_ declaration: Declaration, _ feeds: [String: Tensor])
    -> StoredTensor?
  {
    guard feeds[declaration.name] == nil, declaration.defaultValue == nil,
      case .stored(let file)? = declaration.initializer
    else { return nil }
    return file
  }

  /// A leaf's value: fed, else its default, else its initialiser drawn with `seed`.
  public static func value(of declaration: Declaration, _ feeds: [String: Tensor], seed: UInt64)
    throws(EvaluationError) -> Tensor
  {
    if let value = feeds[declaration.name] ?? declaration.defaultValue {
      return try filled(value, declaration)
    }
    if let initializer = declaration.initializer, let shape = declaration.shape.concrete {
      try MemoryBudget.reserve(
        shape, bytesPerElement: MemoryLayout<Double>.stride,
        of: "\(declaration.kind.rawValue) '\(declaration.name)'",
        at: declaration.location)
      return initializer.materialize(
        shape: shape, name: declaration.name, seed: seed, fanInAxis: declaration.fanInAxis)
    }
    throw EvaluationError(
      message: "no value for \(declaration.kind.rawValue) '\(declaration.name)'",
      location: declaration.location)
  }

  /// A default kept as one number for a large shape (`Declaration.defaultIsFill`), spread to
  /// the declared shape within the memory budget; any other value as it is.
  static func filled(_ value: Tensor, _ declaration: Declaration) throws(EvaluationError)
    -> Tensor
  {
    guard value.isScalar, declaration.defaultIsFill, let shape = declaration.shape.concrete else {
      return value
    }
    try MemoryBudget.reserve(
      shape, bytesPerElement: MemoryLayout<Double>.stride,
      of: "\(declaration.kind.rawValue) '\(declaration.name)'", at: declaration.location)
    return Tensor(repeating: value.scalars[0], shape: shape)
  }

  private mutating func bind(_ declaration: Declaration, _ shape: [Int]) throws(EvaluationError) {
    let declared = declaration.shape
    let mismatch = EvaluationError(
      message:
        "'\(declaration.name)' is declared \(declared) but its value has shape \(Shape(shape))",
      location: declaration.location)
    guard declared.rank == shape.count else { throw mismatch }
    for (dim, size) in zip(declared.dims, shape) {
      switch dim {
      case .fixed(let n) where n != size:
        throw mismatch
      case .symbol(let s):
        if let bound = bindings[s], bound != size {
          throw EvaluationError(
            message: "'\(s)' is \(bound) elsewhere but '\(declaration.name)' has \(size)",
            location: declaration.location)
        }
        bindings[s] = size
      default: break
      }
    }
  }

  /// Every node's shape with the symbols bound.
  public func concreteShapes(_ graph: Graph) throws(EvaluationError) -> [[Int]] {
    try Self.concreteShapes(graph, bindings: bindings)
  }

  /// Every node's shape with `bindings` applied; an error names the first node a symbol of which
  /// nothing binds.
  public static func concreteShapes(_ graph: Graph, bindings: [String: Int]) throws(EvaluationError)
    -> [[Int]]
  {
    var shapes: [[Int]] = []
    shapes.reserveCapacity(graph.nodes.count)
    // Nodes of one shape share one array (a deep network has thousands of nodes and a few
    // shapes): a look-up, not a new array per node. The last few shapes met are compared first
    // (hashing a shape for the dictionary cost more than comparing it with a handful).
    var bound: [Shape: [Int]] = [:]
    var recent: [(shape: Shape, bound: [Int])] = []
    var next = 0  // the entry of `recent` replaced next, once it holds 8
    func remember(_ shape: Shape, _ concrete: [Int]) {
      if recent.count < 8 {
        recent.append((shape, concrete))
      } else {
        recent[next] = (shape, concrete)
      }
      next = (next + 1) % 8
    }
    for node in graph.nodes {
      if let hit = recent.firstIndex(where: { $0.shape == node.shape }) {
        shapes.append(recent[hit].bound)
        continue
      }
      if let shape = bound[node.shape] {
        shapes.append(shape)
        remember(node.shape, shape)
        continue
      }
      guard let shape = node.shape.bound(bindings) else {
        throw EvaluationError(
          message:
            "the size of \(node.shape) is not known: no data binds \(node.shape.symbols.joined(separator: ", "))",
          location: node.location)
      }
      bound[node.shape] = shape
      shapes.append(shape)
      remember(node.shape, shape)
    }
    return shapes
  }
}
