import FFCIR

/// Drops every node that no root (output, loss, gradient, declared leaf) needs, keeping the order
/// of the rest.
public struct DeadCodeElimination: Pass {
  public let name = "dce"

  public init() {}

  public func run(_ graph: Graph, _ context: inout PassContext) throws(PassFailure) -> Graph {
    var live = [Bool](repeating: false, count: graph.nodes.count)
    for root in graph.roots { live[root.index] = true }
    for index in stride(from: graph.nodes.count - 1, through: 0, by: -1) where live[index] {
      for input in graph.nodes[index].inputs { live[input.index] = true }
    }
    let removed = live.count { !$0 }
    if removed > 0 { context.count("removed", by: removed) }
    return graph.keeping(live)
  }
}
