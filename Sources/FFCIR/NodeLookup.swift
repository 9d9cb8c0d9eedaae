/// Something that finds a node by id: a finished graph, or a builder while a pass rebuilds one.
/// Lets a pass ask the same question of the graph it was given and of the one it is building.
public protocol NodeLookup {
  subscript(id: NodeID) -> Node { get }
}

extension Graph: NodeLookup {}
extension GraphBuilder: NodeLookup {}
