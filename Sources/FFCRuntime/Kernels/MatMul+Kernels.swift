import FFCIR

extension KernelTable {
  static let matmulKernels: [(Op, OpKernel)] = [
    (Op.matmul, OpKernel(float: matmulKernel, double: matmulKernel)),
    (Op.outer, OpKernel(float: outerKernel, double: outerKernel)),
  ]
}

func matmulKernel<T: PlanScalar>(_ c: KernelCall<T>) -> Instruction {
  matmulKernel(c, into: c.output, finishing: nil)
}

/// The product of `c` written to `out`, finished with `epilogue` (its reader's bias and
/// activation, `EpilogueFusion`) when there is one.
func matmulKernel<T: PlanScalar>(
  _ c: KernelCall<T>, into out: UnsafeMutablePointer<T>, finishing epilogue: ProductEpilogue<T>?
) -> Instruction {
  let layout = Compute.MatMulLayout(
    a: c.inputShapes[0], b: c.inputShapes[1], transposeA: c.attributes.bool("transpose_a"),
    transposeB: c.attributes.bool("transpose_b"))
  let workspace = c.workspace
  workspace.reserve(layout.workspaceCount(T.self))
  let (a, b) = (c.input(0), c.input(1))
  guard let epilogue else {
    return { Compute.matmul(a, b, out, layout, workspace: workspace.base) }
  }
  return { Compute.matmul(a, b, out, layout, workspace: workspace.base, epilogue: epilogue) }
}

func outerKernel<T: PlanScalar>(_ c: KernelCall<T>) -> Instruction {
  let (a, b, out) = (c.input(0), c.input(1), c.output)
  let (m, n) = (c.inputCount(0), c.inputCount(1))
  return { Compute.outer(a, b, out, m: m, n: n) }
}

/// A matrix product fused, when the plan is built, with its only reader, when that reader adds a
/// bias row to the product and applies relu or tanh (or neither) at the product's own indices:
/// `fused[program=relu(add(#0, #1))] %P, %b` with %P the product and %b of shape [n] or [1, n]
/// (or `add(#0, #1)`, or a plain `relu %P` or `tanh %P`).
/// The product then finishes each tile of C with the reader's work as it stores the tile
/// (`ProductEpilogue`, the same operations in the same order, so the same bits), into the
/// reader's buffer, and the reader's pass over C is skipped. The graph and its printing do not
/// change: it is the plan's choice (`Plan.run`; `ffc compile --stats` counts them).
struct EpilogueFusion {
  let product: Int
  let reader: Int
  /// The node holding the bias, nil for none.
  let bias: Int?
  let activation: EpilogueActivation

  /// The pairs the plan may fuse: a product with a 2-D value that is no root and not kept, read
  /// once, by the node that runs right after it (so no instruction between them sees the buffers
  /// change at another time). The plan still checks that the reader's buffer overlaps none the
  /// product reads.
  static func find(_ graph: Graph, shapes: [[Int]], kept: [NodeID]) -> [EpilogueFusion] {
    var readers = [Int](repeating: 0, count: graph.nodes.count)
    for node in graph.nodes { for input in node.inputs { readers[input.index] += 1 } }
    var pinned = [Bool](repeating: false, count: graph.nodes.count)
    for root in graph.roots + kept { pinned[root.index] = true }
    var found: [EpilogueFusion] = []
    var previous: Int?
    for (index, node) in graph.nodes.enumerated() {
      if node.op.isLeaf || node.constantValue != nil { continue }
      defer { previous = index }
      guard let product = previous, graph.nodes[product].op === Op.matmul,
        readers[product] == 1, !pinned[product], shapes[product].count == 2,
        shapes[index] == shapes[product],
        let (bias, activation) = finishing(node, product: product, shapes: shapes)
      else { continue }
      found.append(
        EpilogueFusion(product: product, reader: index, bias: bias, activation: activation))
    }
    return found
  }

  /// What `reader` does to the product: `add(#p, #q)` with #q a bias row, then `relu` or `tanh`
  /// of that, or either alone (a `relu` or `tanh` node, or a fused one).
  static func finishing(_ reader: Node, product: Int, shapes: [[Int]]) -> (
    bias: Int?, activation: EpilogueActivation
  )? {
    if reader.op === Op.relu || reader.op === Op.tanh {
      return (nil, reader.op === Op.relu ? .relu : .tanh)
    }
    guard reader.op === Op.fused,
      let p = reader.inputs.firstIndex(where: { $0.index == product })
    else { return nil }
    let steps = reader.attributes.program("program").steps
    let n = shapes[product][1]
    func activation(_ step: ElementwiseProgram.Step, of operand: ElementwiseProgram.Operand)
      -> EpilogueActivation?
    {
      guard step.operands == [operand], step.attributes == .none else { return nil }
      return step.op === Op.relu ? .relu : step.op === Op.tanh ? .tanh : nil
    }
    guard let first = steps.first, steps.count <= 2 else { return nil }
    var bias: Int?
    if first.op === Op.add, first.operands.count == 2, first.operands[0] == .input(p),
      let q = first.operands[1].inputIndex, q != p
    {
      let shape = shapes[reader.inputs[q].index]
      guard shape == [n] || shape == [1, n] else { return nil }
      bias = reader.inputs[q].index
    }
    if steps.count == 1 {
      if bias != nil { return (bias, .identity) }
      return activation(first, of: .input(p)).map { (nil, $0) }
    }
    guard bias != nil, let last = activation(steps[1], of: .step(0)) else { return nil }
    return (bias, last)
  }
}
