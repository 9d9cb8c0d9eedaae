import FFCIR

/// Evaluates a graph in f64 by walking its nodes once in order and calling each op's `evaluate`.
/// Slow and simple on purpose: it is the oracle that tests, finite-difference checks, constant
/// folding and the compiled plan agree with.
public struct ReferenceEvaluator {
  public var seed: UInt64

  public init(seed: UInt64 = 0) { self.seed = seed }

  /// The value of every node. `feeds` gives inputs, targets and labels (and may override
  /// parameters); otherwise declared defaults and parameter initialisers are used.
  public func evaluate(_ graph: Graph, feeds: [String: Tensor]) throws(EvaluationError) -> [Tensor]
  {
    let leaves = try LeafValues(graph, feeds: feeds, seed: seed)
    let shapes = try leaves.concreteShapes(graph)
    var leafValues: [Int: Tensor] = [:]
    for (declaration, value) in leaves.values { leafValues[declaration.node.index] = value }
    var values: [Tensor] = []
    values.reserveCapacity(graph.nodes.count)
    for (index, node) in graph.nodes.enumerated() {
      if let leaf = leafValues[index] {
        values.append(leaf)
      } else {
        values.append(
          node.op.evaluate(node.inputs.map { values[$0.index] }, node.attributes, shapes[index]))
      }
    }
    return values
  }

  /// The values of the graph's roots: outputs, loss and gradients, by name.
  public func roots(_ graph: Graph, feeds: [String: Tensor]) throws(EvaluationError) -> (
    outputs: [Tensor], loss: Tensor?, gradients: [Tensor]
  ) {
    let values = try evaluate(graph, feeds: feeds)
    return (
      graph.outputs.map { values[$0.node.index] }, graph.loss.map { values[$0.node.index] },
      graph.gradients.map { values[$0.node.index] }
    )
  }
}
