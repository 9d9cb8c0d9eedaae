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
    let fused = members.indices.map { groups[$0] == $0 && members[$0].count > 1 }
    let builder = GraphBuilder(capacity: graph.nodes.count)
    var map = [NodeID](repeating: NodeID(0), count: graph.nodes.count)
    do {
      for (index, node) in graph.nodes.enumerated() {
        let root = groups[index]
        if root >= 0 && root != index && fused[root] { continue }  // computed inside its group
        if fused[index] {
          context.count("fused nodes")
          context.count("ops fused", by: members[index].count)
          map[index] = try Self.emitFused(graph, members: members[index], map: map, builder)
        } else {
          // Operands keep their shapes: a fused node has its root's.
          map[index] = try builder.copy(node, inputs: node.inputs.map { map[$0.index] }, inputShapesUnchanged: true)
        }
      }
    } catch {
      throw .internal(pass: name, message: "\(error)")
    }
    let roots = graph.remappingRoots { map[$0.index] }
    return builder.graph(
      name: graph.name, declarations: roots.declarations, outputs: roots.outputs, loss: roots.loss,
      gradients: roots.gradients)
  }

  /// The root of each node's group (-1: in none), found from the last node back, so that every
  /// reader of a node is placed before the node is.
  static func groups(_ graph: Graph, keep: [NodeID]) -> [Int] {
    let nodes = graph.nodes
    var readers = [[Int]](repeating: [], count: nodes.count)
    for (index, node) in nodes.enumerated() {
      for input in node.inputs where readers[input.index].last != index { readers[input.index].append(index) }
    }
    var pinned = [Bool](repeating: false, count: nodes.count)
    for root in graph.roots + keep { pinned[root.index] = true }
    var group = [Int](repeating: -1, count: nodes.count)
    for index in stride(from: nodes.count - 1, through: 0, by: -1) {
      let node = nodes[index]
      let elementwise = node.op.elementwise != nil
      guard elementwise || node.op === Op.broadcastTo else { continue }
      if !pinned[index], let first = readers[index].first, group[first] >= 0,
        readers[index].allSatisfy({ group[$0] == group[first] && nodes[$0].op !== Op.broadcastTo }),
        nodes[group[first]].shape == node.shape
      {
        group[index] = group[first]
      } else if elementwise {
        group[index] = index
      }
    }
    return group
  }

  /// Emits the `fused` node of a group (members in graph order, the root last), with the root's
  /// name, location and gradient flag. `map` gives every outside operand's node in the new graph.
  static func emitFused(_ graph: Graph, members: [Int], map: [NodeID], _ builder: GraphBuilder) throws -> NodeID {
    var program = FusedProgramBuilder(graph: graph, members: members)
    for member in members where graph.nodes[member].op !== Op.broadcastTo { program.addStep(member) }
    let root = graph.nodes[members[members.count - 1]]
    builder.currentLocation = root.location
    builder.emittingGradient = root.isGradient
    let id = try builder.emit(
      Op.fused, program.inputs.map { map[$0] }, Op.fusedAttributes(root.shape, program.result), name: root.name)
    if let name = root.name, builder[id].name == nil { builder.rename(id, name) }
    return id
  }
}
