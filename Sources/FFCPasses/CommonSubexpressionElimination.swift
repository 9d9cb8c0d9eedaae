import FFCIR

/// Merges identical nodes. The rebuilding builder hash-conses, so a node equal to one already made
/// (same op, inputs and attributes) is reused; operands of commutative ops are put in a canonical
/// order first (constants on the right, then by node number) so that `a*b` and `b*a` meet.
public struct CommonSubexpressionElimination: Pass {
  public let name = "cse"

  public init() {}

  public func run(_ graph: Graph, _ context: inout PassContext) throws(PassFailure) -> Graph {
    let result = try rebuilding(graph) {
      try graph.rebuilt { node, inputs, builder in
        guard node.op.traits.contains(.commutative), inputs.count == 2 else { return nil }
        let (a, b) = (inputs[0], inputs[1])
        let aIsConstant = builder[a].op === Op.const
        let bIsConstant = builder[b].op === Op.const
        let swap = (aIsConstant && !bIsConstant) || (aIsConstant == bIsConstant && b < a)
        // Reordering alone is not counted as a change: it never undoes itself.
        return swap ? try builder.copy(node, inputs: [b, a]) : nil
      }
    }
    let merged = graph.nodes.count - result.nodes.count
    if merged > 0 { context.count("merged", by: merged) }
    return result
  }
}
