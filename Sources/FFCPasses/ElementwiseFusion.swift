import FFCIR
import FFCTensor

/// Groups chains of elementwise ops into `fused` nodes, for the graph about to be planned (never
/// for the graphs `ffc compile` prints by default), as XLA's loop fusion and PyTensor's
/// FusionOptimizer do. A group is a root (a value something outside the group reads) and every
/// elementwise node of the same shape whose readers all lie in the group: values inside it are
/// then read only by the group and never need a buffer. A `broadcast_to` read only by the group
/// joins it as a strided read of its operand, and scalar constants become literals. The fused
/// node takes the root's place, name and location.
public struct ElementwiseFusion: Pass {
  public let name = "fusion"
  /// Nodes whose values the caller reads after a run besides the roots (kept out of groups).
  public let keep: [NodeID]

  public init(keep: [NodeID] = []) { self.keep = keep }

  public func run(_ graph: Graph, _ context: inout PassContext) throws(PassFailure) -> Graph {
    let groups = Self.groups(graph, keep: keep)
    var members = [[Int]](repeating: [], count: graph.nodes.count)
    for (index, root) in groups.enumerated() where root >= 0 { members[root].append(index) }
    // The graph is built directly, not through a hash-consing builder: its nodes are already
    // distinct, and so are the fused nodes (each has its own root).
    var tables = FusedProgramBuilder.Tables(groups: groups)
    var nodes: [Node] = []
    nodes.reserveCapacity(graph.nodes.count)
    var map = [NodeID](repeating: NodeID(0), count: graph.nodes.count)
    // Counted once at the end, not per group (a counter's key is hashed at every count).
    var (fusedNodes, opsFused) = (0, 0)
    for index in graph.nodes.indices {
      let root = groups[index]
      // A member other than its group's root is computed in the group's fused node.
      if root >= 0 && members[root].count > 1 && root != index { continue }
      if root == index && members[index].count > 1 {
        fusedNodes += 1
        opsFused += members[index].count
        map[index] = NodeID(nodes.count)
        nodes.append(Self.fusedNode(graph, members: members[index], map: map, &tables))
      } else {
        // A node left in its place on the same operands is the very node (verification skips
        // it); one that moved is a renumbered copy (verification checks it against its twin).
        let node = graph.nodes[index]
        let inputs = Graph.mapping(node.inputs, through: map)
        let position = nodes.count
        map[index] = NodeID(position)
        nodes.append(
          position == index && inputs == node.inputs
            ? node : node.renumbered(inputs, from: index))
      }
    }
    if fusedNodes > 0 {
      context.count("fused nodes", by: fusedNodes)
      context.count("ops fused", by: opsFused)
    }
    let roots = graph.remappingRoots { map[$0.index] }
    return Graph(
      name: graph.name, nodes: nodes, declarations: roots.declarations, outputs: roots.outputs,
      loss: roots.loss,
      gradients: roots.gradients)
  }

  /// The root of each node's group (-1: in none), found from the last node back, so that every
  /// reader of a node is placed before the node is. `readersGroup` says, for each node, the group
  /// all its readers so far belong to (-1: no reader yet, -2: readers outside any one group).
  static func groups(_ graph: Graph, keep: [NodeID]) -> [Int] {
    let count = graph.nodes.count
    var readersGroup = [Int](repeating: -1, count: count)
    for root in graph.roots + keep { readersGroup[root.index] = -2 }
    var group = [Int](repeating: -1, count: count)
    // Read once: `Op.broadcastTo` is read through its lazy initialiser's accessor, a call around
    // which the loop retained the node's fields.
    let broadcastTo = Op.broadcastTo
    for index in stride(from: count - 1, through: 0, by: -1) {
      let op = graph.nodes[index].op
      let elementwise = op.scalarFunction != nil
      if elementwise || op === broadcastTo {
        let target = readersGroup[index]
        if target >= 0, graph.nodes[target].shape == graph.nodes[index].shape {
          group[index] = target
        } else if elementwise {
          group[index] = index
        }
      }
      // What this node's operands learn about their readers: a broadcast is read with strides,
      // so its operand is never computed inside the group.
      let offered = group[index] >= 0 && op !== broadcastTo ? group[index] : -2
      for input in graph.nodes[index].inputs {
        let known = readersGroup[input.index]
        readersGroup[input.index] = known == -1 || known == offered ? offered : -2
      }
    }
    return group
  }

  /// The `fused` node of a group (members in graph order, the root last), with the root's shape,
  /// name, location and gradient flag. `map` gives every outside operand's node in the new graph.
  static func fusedNode(
    _ graph: Graph, members: [Int], map: [NodeID], _ tables: inout FusedProgramBuilder.Tables
  ) -> Node {
    var program = FusedProgramBuilder(
      graph: graph, root: members[members.count - 1], members: members.count)
    for member in members where graph.nodes[member].op !== Op.broadcastTo {
      program.addStep(member, &tables)
    }
    let root = graph.nodes[members[members.count - 1]]
    let result = program.finish(&tables)
    return Node(
      op: Op.fused, inputs: program.inputs.map { map[$0] },
      attributes: Op.fusedAttributes(root.shape, result), shape: root.shape, replacing: root)
  }
}
