import FFCIR

/// Turns a fusion group's nodes into the `fused` node's program and operand list: members become
/// steps, an absorbed `broadcast_to` becomes a strided read of its operand, a scalar constant
/// becomes a literal, and every other value becomes an operand `#i` (in order of first use).
struct FusedProgramBuilder {
  let graph: Graph
  /// A group has a handful of members: plain arrays, searched in order, cost less than hashing.
  private let members: [Int]
  private var stepOf: [Int?]
  private var steps: [ElementwiseProgram.Step] = []
  /// The fused node's operands, as nodes of the original graph.
  private(set) var inputs: [Int] = []

  init(graph: Graph, members: [Int]) {
    self.graph = graph
    self.members = members
    stepOf = [Int?](repeating: nil, count: members.count)
  }

  var result: ElementwiseProgram { ElementwiseProgram(steps) }

  /// Adds a member as the next step; members come in graph order, so its operands in the group
  /// are steps already.
  mutating func addStep(_ member: Int) {
    let node = graph.nodes[member]
    var operands: [ElementwiseProgram.Operand] = []
    for input in node.inputs {
      // A literal only beside an operand that is not one: a step reads at most one single value
      // that the kernel does not spread over a block.
      let literalAllowed = node.inputs.count == 2 && !operands.contains { if case .literal = $0 { true } else { false } }
      operands.append(operand(input.index, literalAllowed: literalAllowed))
    }
    if let position = members.firstIndex(of: member) { stepOf[position] = steps.count }
    steps.append(ElementwiseProgram.Step(node.op, operands, node.attributes))
  }

  private mutating func operand(_ index: Int, literalAllowed: Bool) -> ElementwiseProgram.Operand {
    let position = members.firstIndex(of: index)
    if let position, let step = stepOf[position] { return .step(step) }
    // An absorbed broadcast_to: read its operand with strides instead.
    let source = position != nil ? graph.nodes[index].inputs[0].index : index
    if literalAllowed, let value = graph.nodes[source].constantValue, value.scalars.count == 1 {
      return .literal(value.scalars[0])
    }
    if let position = inputs.firstIndex(of: source) { return .input(position) }
    inputs.append(source)
    return .input(inputs.count - 1)
  }
}
