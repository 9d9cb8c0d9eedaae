import FFCIR

/// Accuracy for the classification losses (`Op.classification`): how many predictions the loss's
/// logits get right. The largest logit of a row is its class (softmax_cross_entropy); a logit
/// above 0 predicts a target ≥ 0.5 (sigmoid_cross_entropy).
public struct AccuracyMetric: Sendable {
  enum Kind {
    case largestLogit(classes: Int)
    case positiveLogit
  }
  let kind: Kind
  public let logits: NodeID
  public let labels: NodeID

  /// The metric of the graph's loss, when it is a classification loss or contains exactly one
  /// (`cross_entropy(z, y) + 0.0001 * sum(W ** 2)`: a regulariser does not change what is
  /// predicted).
  public static func of(_ graph: Graph) -> AccuracyMetric? {
    guard let loss = graph.loss else { return nil }
    let found = classificationNodes(graph, from: loss.node)
    guard found.count == 1, let node = found.first.map({ graph[$0] }),
      let rule = node.op.classification
    else { return nil }
    let (logits, labels) = (node.inputs[rule.logits], node.inputs[rule.labels])
    switch rule.prediction {
    case .largestLogit:
      guard let classes = graph[logits].shape.dims.last?.value else { return nil }
      return AccuracyMetric(kind: .largestLogit(classes: classes), logits: logits, labels: labels)
    case .positiveLogit:
      return AccuracyMetric(kind: .positiveLogit, logits: logits, labels: labels)
    }
  }

  /// The classification losses the loss node depends on, in the order a walk from it meets them
  /// (a worklist, not recursion: a deep graph must not overflow the stack).
  static func classificationNodes(_ graph: Graph, from root: NodeID) -> [NodeID] {
    var seen = [Bool](repeating: false, count: graph.nodes.count)
    var work = [root]
    var found: [NodeID] = []
    seen[root.index] = true
    while let id = work.popLast() {
      let node = graph[id]
      if node.op.classification != nil {
        found.append(id)
        continue
      }
      for input in node.inputs where !seen[input.index] {
        seen[input.index] = true
        work.append(input)
      }
    }
    return found
  }

  /// Correct predictions and predictions made, read from a plan that keeps the logits.
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public func count<T: PlanScalar>(_ plan: Plan<T>) -> (correct: Int, total: Int) {
    let (z, y) = (plan.buffer(of: logits), plan.buffer(of: labels))
    var correct = 0
    switch kind {
    case .largestLogit(let classes):
      let rows = plan.count(of: labels)
      for r in 0..<rows {
        let row = z + r * classes
        var best = 0
        for k in 1..<Swift.max(1, classes) where row[k] > row[best] { best = k }
        if T(best) == y[r] { correct += 1 }
      }
      return (correct, rows)
    case .positiveLogit:
      let n = plan.count(of: logits)
      for i in 0..<n where (z[i] > 0) == (y[i] >= 0.5) { correct += 1 }
      return (correct, n)
    }
  }
}
