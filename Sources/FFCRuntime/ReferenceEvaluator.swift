import FFCIR

/// A problem with the values a program is run on (a missing input, a shape that does not match).
public struct EvaluationError: Error, Sendable, CustomStringConvertible {
  public let message: String
  public let location: SourceRange?
  public var description: String { message }
}

/// Evaluates a graph in f64 by walking its nodes once in order and calling each op's `evaluate`.
/// Slow and simple on purpose: it is the oracle that tests, finite-difference checks and constant
/// folding agree with.
public struct ReferenceEvaluator {
  public var seed: UInt64

  public init(seed: UInt64 = 0) { self.seed = seed }

  /// The value of every node. `feeds` gives inputs, targets and labels (and may override
  /// parameters); otherwise declared defaults and parameter initialisers are used.
  public func evaluate(_ graph: Graph, feeds: [String: Tensor]) throws(EvaluationError) -> [Tensor] {
    var bindings: [String: Int] = [:]
    var leaves: [Int: Tensor] = [:]
    for declaration in graph.declarations where declaration.kind != .const {
      let value = try leafValue(declaration, feeds)
      try bind(declaration, value.shape, &bindings)
      leaves[declaration.node.index] = value
    }
    var values: [Tensor] = []
    values.reserveCapacity(graph.nodes.count)
    for (index, node) in graph.nodes.enumerated() {
      guard let shape = node.shape.bound(bindings) else {
        throw EvaluationError(message: "the size of \(node.shape) is not known: no data binds \(node.shape.symbols.joined(separator: ", "))", location: node.location)
      }
      if let leaf = leaves[index] {
        values.append(leaf)
      } else {
        values.append(node.op.evaluate(node.inputs.map { values[$0.index] }, node.attributes, shape))
      }
    }
    return values
  }

  /// The values of the graph's roots: outputs, loss and gradients, by name.
  public func roots(_ graph: Graph, feeds: [String: Tensor]) throws(EvaluationError) -> (outputs: [Tensor], loss: Tensor?, gradients: [Tensor]) {
    let values = try evaluate(graph, feeds: feeds)
    return (
      graph.outputs.map { values[$0.node.index] }, graph.loss.map { values[$0.node.index] },
      graph.gradients.map { values[$0.node.index] }
    )
  }

  private func leafValue(_ declaration: Declaration, _ feeds: [String: Tensor]) throws(EvaluationError) -> Tensor {
    if let fed = feeds[declaration.name] { return fed }
    if let value = declaration.defaultValue { return value }
    if let initializer = declaration.initializer, let shape = declaration.shape.concrete {
      return initializer.materialize(shape: shape, name: declaration.name, seed: seed, fanInAxis: declaration.fanInAxis)
    }
    throw EvaluationError(message: "no value for \(declaration.kind.rawValue) '\(declaration.name)'", location: declaration.location)
  }

  private func bind(_ declaration: Declaration, _ shape: [Int], _ bindings: inout [String: Int]) throws(EvaluationError) {
    let declared = declaration.shape
    guard declared.rank == shape.count else {
      throw EvaluationError(message: "'\(declaration.name)' is declared \(declared) but its value has shape \(Shape(shape))", location: declaration.location)
    }
    for (dim, size) in zip(declared.dims, shape) {
      switch dim {
      case .fixed(let n) where n != size:
        throw EvaluationError(message: "'\(declaration.name)' is declared \(declared) but its value has shape \(Shape(shape))", location: declaration.location)
      case .symbol(let s):
        if let bound = bindings[s], bound != size {
          throw EvaluationError(message: "'\(s)' is \(bound) elsewhere but '\(declaration.name)' has \(size)", location: declaration.location)
        }
        bindings[s] = size
      default: break
      }
    }
  }
}
