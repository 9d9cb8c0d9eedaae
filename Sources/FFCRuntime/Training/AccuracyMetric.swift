import FFCIR

/// Accuracy for the classification losses: how many predictions the loss's logits get right.
/// softmax_cross_entropy: the largest logit is the label; sigmoid_cross_entropy: z > 0 exactly
/// when the target is ≥ 0.5.
public struct AccuracyMetric: Sendable {
  enum Kind {
    case softmax(classes: Int)
    case sigmoid
  }
  let kind: Kind
  public let logits: NodeID
  public let labels: NodeID

  /// The metric of the graph's loss, when it is a classification loss.
  public static func of(_ graph: Graph) -> AccuracyMetric? {
    guard let loss = graph.loss else { return nil }
    let node = graph[loss.node]
    guard node.inputs.count == 2 else { return nil }
    if node.op === Op.softmaxCrossEntropy,
      let classes = graph[node.inputs[0]].shape.dims.last?.value
    {
      return AccuracyMetric(
        kind: .softmax(classes: classes), logits: node.inputs[0], labels: node.inputs[1])
    }
    if node.op === Op.sigmoidCrossEntropy {
      return AccuracyMetric(kind: .sigmoid, logits: node.inputs[0], labels: node.inputs[1])
    }
    return nil
  }

  /// Correct predictions and predictions made, read from a plan that keeps the logits.
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public func count<T: PlanScalar>(_ plan: Plan<T>) -> (correct: Int, total: Int) {
    let (z, y) = (plan.buffer(of: logits), plan.buffer(of: labels))
    var correct = 0
    switch kind {
    case .softmax(let classes):
      let rows = plan.count(of: labels)
      for r in 0..<rows {
        let row = z + r * classes
        var best = 0
        for k in 1..<Swift.max(1, classes) where row[k] > row[best] { best = k }
        if T(best) == y[r] { correct += 1 }
      }
      return (correct, rows)
    case .sigmoid:
      let n = plan.count(of: logits)
      for i in 0..<n where (z[i] > 0) == (y[i] >= 0.5) { correct += 1 }
      return (correct, n)
    }
  }
}
