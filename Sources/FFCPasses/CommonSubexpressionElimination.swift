import FFCIR

/// Merges identical nodes. The rebuilding builder hash-conses, so a node equal to one already made
/// (same op, inputs and attributes) is reused; operands of commutative ops are put in a canonical
/// order first (constants on the right, then by node number) so that `a*b` and `b*a` meet.
public struct CommonSubexpressionElimination: Pass {
  public let name = "cse"

  public init() {}

  public func run(_ graph: Graph, _ context: inout PassContext) throws(PassFailure) -> Graph {
    let (result, map) = try rebuildingMapped(graph) {
      try graph.rebuiltMapping { _, node, inputs, builder in
        guard node.op.traits.contains(.commutative), inputs.count == 2 else { return nil }
        let (a, b) = (inputs[0], inputs[1])
        let aIsConstant = builder[a].op === Op.const
        let bIsConstant = builder[b].op === Op.const
        let swap = (aIsConstant && !bIsConstant) || (aIsConstant == bIsConstant && b < a)
        // Reordering alone is not counted as a change: it never undoes itself.
        return swap ? try builder.copy(node, inputs: [b, a]) : nil
      }
    }
    // A node that landed on a node an earlier one already became was merged into it: recorded,
    // so that --explain-rewrites shows it and --check-rewrites compares the two values.
    var firstOrigin: [NodeID: Int] = [:]
    var merged = 0
    for (index, target) in map.enumerated() {
      guard let first = firstOrigin[target] else {
        firstOrigin[target] = index
        continue
      }
      merged += 1
      context.record(RewriteEvent(
        pass: name, rule: "merged", location: graph.nodes[index].location,
        before: "\(graph.nodes[index].op.name) %\(graph.nodes[index].name ?? String(index))",
        after: "%\(graph.nodes[first].name ?? String(first))",
        original: NodeID(index), replacement: target))
    }
    if merged > 0 { context.count("merged", by: merged) }
    return result
  }
}
