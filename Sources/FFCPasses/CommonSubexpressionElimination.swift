import FFCIR
import Foundation

/// Merges identical nodes. The rebuilding builder hash-conses, so a node equal to one already made
/// (same op, inputs and attributes) is reused; operands of commutative ops are put in a canonical
/// order first (constants on the right, then by node number) so that `a*b` and `b*a` meet.
public struct CommonSubexpressionElimination: Pass {
  public let name = "cse"
  /// The graph the last run found nothing to change in: given that very graph again (the fixed
  /// point's last round), the run needs no scan.
  let lastClean = LastClean()

  final class LastClean: @unchecked Sendable {
    private let lock = NSLock()
    private var graph: Graph?  // retained, so that its storage cannot be another graph's
    func contains(_ other: Graph) -> Bool {
      lock.withLock { graph.map { $0.isIdentical(to: other) } ?? false }
    }
    func set(_ clean: Graph) { lock.withLock { graph = clean } }
  }

  public init() {}

  public func run(_ graph: Graph, _ context: inout PassContext) throws(PassFailure) -> Graph {
    if lastClean.contains(graph) { return graph }
    // Usually (in every fixed-point round after the first) nothing is out of order and no two
    // nodes are equal: a scan finds that out for far less than a rebuild.
    guard let first = Self.firstChange(graph) else {
      lastClean.set(graph)
      return graph
    }
    let (result, map) = try rebuilding(graph) {
      try graph.rebuiltMapping(mergingDuplicates: true, unchangedBefore: first) {
        _, node, inputs, builder in
        guard Self.needsSwap(node, inputs, builder) else { return nil }
        // Reordering alone is not counted as a change: it never undoes itself.
        return try builder.copy(node, inputs: [inputs[1], inputs[0]])
      }
    }
    // A node that landed on a node an earlier one already became was merged into it: recorded,
    // so that --explain-rewrites shows it and --check-rewrites compares the two values.
    var firstOrigin = [Int](repeating: -1, count: result.nodes.count)
    var merged = 0
    for (index, target) in map.enumerated() {
      let first = firstOrigin[target.index]
      guard first >= 0 else {
        firstOrigin[target.index] = index
        continue
      }
      merged += 1
      context.record(
        RewriteEvent(
          pass: name, rule: "merged", location: graph.nodes[index].location,
          before: "\(graph.nodes[index].op.name) %\(graph.nodes[index].name ?? String(index))",
          after: "%\(graph.nodes[first].name ?? String(first))",
          original: NodeID(index), replacement: target))
    }
    if merged > 0 { context.count("merged", by: merged) }
    return result
  }

  /// Operands of a commutative op in canonical order: constants on the right, then by node number.
  static func needsSwap(_ node: Node, _ inputs: [NodeID], _ graph: some NodeLookup) -> Bool {
    guard node.op.traits.contains(.commutative), inputs.count == 2 else { return false }
    let (a, b) = (inputs[0], inputs[1])
    let aIsConstant = graph[a].op === Op.const
    let bIsConstant = graph[b].op === Op.const
    return (aIsConstant && !bIsConstant) || (aIsConstant == bIsConstant && b < a)
  }

  /// Where a rebuild would first reorder operands or merge two nodes (nil: it would change
  /// nothing): the nodes before it are kept as they are.
  static func firstChange(_ graph: Graph) -> Int? {
    graph.firstDuplicate { index in
      let node = graph.nodes[index]
      return node.op.traits.contains(.commutative) && needsSwap(node, node.inputs, graph)
    }
  }
}
