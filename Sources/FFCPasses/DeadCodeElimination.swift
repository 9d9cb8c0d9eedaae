import FFCIR

/// Drops every node that no root (output, loss, gradient, declared leaf) needs, keeping the order
/// of the rest.
public struct DeadCodeElimination: Pass {
  public let name = "dce"

  public init() {}

  public func run(_ graph: Graph, _ context: inout PassContext) throws(PassFailure) -> Graph {
    let live = graph.liveNodes()
    let removed = live.count { !$0 }
    if removed > 0 { context.count("removed", by: removed) }
    return graph.keeping(live)
  }
}
