import FFCIR

/// Rewrites the forward graph into numerically stable forms before it is differentiated:
/// log(softmax(z)) into log_softmax(z), log(1 + exp(x)) into softplus(x), log σ(x) into
/// −softplus(−x) and log(1 − σ(x)) into −softplus(x). The rules are the ops' own, in the
/// stabilize phase.
public struct Stabilize: Pass {
  public let name = "stabilize"

  public init() {}

  public func run(_ graph: Graph, _ context: inout PassContext) throws(PassFailure) -> Graph {
    // Made once per op, not per node (as the simplifier does).
    var rulesOfOp = RewriteEngine.RulesByOp { op in op.rewrites.filter { $0.phase == .stabilize } }
    return try RewriteEngine.run(graph, pass: name, &context) { node in
      rulesOfOp.rules(of: node.op)
    }
  }
}
