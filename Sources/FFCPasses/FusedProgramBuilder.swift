import FFCIR

/// Turns a fusion group's nodes into the `fused` node's program and operand list: members become
/// steps, an absorbed `broadcast_to` becomes a strided read of its operand, a scalar constant
/// becomes a literal, and every other value becomes an operand `#i` (in order of first use).
struct FusedProgramBuilder {
  /// Tables indexed by node, made once per pass and shared by every group (a group may be a
  /// chain of thousands of ops: no lookup here may grow with its size). Entries a group set are
  /// cleared when its program is done.
  struct Tables {
    /// Each node's group root (-1: none), as `ElementwiseFusion.groups` found them.
    let group: [Int]
    var step: [Int]
    var input: [Int]

    init(groups: [Int]) {
      group = groups
      step = [Int](repeating: -1, count: groups.count)
      input = [Int](repeating: -1, count: groups.count)
    }
  }

  let graph: Graph
  private let root: Int
  private var steps: [ElementwiseProgram.Step] = []
  private var stepNodes: [Int] = []
  /// The fused node's operands, as nodes of the original graph.
  private(set) var inputs: [Int] = []

  /// `members`: how many nodes the group has, at most the steps its program will have (the
  /// arrays are sized once: grown one append at a time, they were a sixth of what fusion cost).
  init(graph: Graph, root: Int, members: Int) {
    self.graph = graph
    self.root = root
    steps.reserveCapacity(members)
    stepNodes.reserveCapacity(members)
  }

  /// The program, clearing the entries this group set in `tables`.
  mutating func finish(_ tables: inout Tables) -> ElementwiseProgram {
    for node in stepNodes { tables.step[node] = -1 }
    for node in inputs { tables.input[node] = -1 }
    return ElementwiseProgram(steps)
  }

  /// Adds a member as the next step; members come in graph order, so its operands in the group
  /// are steps already.
  mutating func addStep(_ member: Int, _ tables: inout Tables) {
    let node = graph.nodes[member]
    var operands: [ElementwiseProgram.Operand] = []
    operands.reserveCapacity(node.inputs.count)
    for input in node.inputs {
      // A literal only beside an operand that is not one: a step reads at most one single value
      // that the kernel does not spread over a block.
      let literalAllowed =
        node.inputs.count == 2
        && !operands.contains { if case .literal = $0 { true } else { false } }
      operands.append(operand(input.index, literalAllowed: literalAllowed, &tables))
    }
    tables.step[member] = steps.count
    stepNodes.append(member)
    steps.append(ElementwiseProgram.Step(node.op, operands, node.attributes))
  }

  private mutating func operand(_ index: Int, literalAllowed: Bool, _ tables: inout Tables)
    -> ElementwiseProgram.Operand
  {
    if tables.step[index] >= 0 { return .step(tables.step[index]) }
    // An absorbed broadcast_to (a member that is not a step): read its operand with strides.
    let source = tables.group[index] == root ? graph.nodes[index].inputs[0].index : index
    if literalAllowed, let value = graph.nodes[source].constantValue, value.scalars.count == 1 {
      return .literal(value.scalars[0])
    }
    if tables.input[source] >= 0 { return .input(tables.input[source]) }
    tables.input[source] = inputs.count
    inputs.append(source)
    return .input(inputs.count - 1)
  }
}
