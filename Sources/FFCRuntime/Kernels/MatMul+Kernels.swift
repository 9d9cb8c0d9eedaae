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
  workspace.reserve(forProduct: layout)
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
/// bias row to the product and applies relu (or nothing more), or multiplies it by a ReLU's
/// derivative, at the product's own indices: `fused[program=relu(add(#0, #1))] %P, %b` with %P
/// the product and %b of shape [n] or [1, n] (or `add(#0, #1)`, or a plain `relu %P`), or
/// `fused[program=mul(#1, step(#0))] %h, %P` with %h of the product's shape. The
/// product then finishes each tile of C with the reader's work as it stores the tile
/// (`ProductEpilogue`: the same operations in the same order, so the same bits), into the
/// reader's buffer, at the reader's place, and the reader's pass over C is skipped. The graph and
/// its printing do not change: it is the plan's choice (`Plan.run`; `ffc compile --stats` counts
/// them).
struct EpilogueFusion {
  let product: Int
  let reader: Int
  /// The nodes holding the bias and the mask, nil for none.
  let bias: Int?
  let activation: EpilogueActivation
  let mask: Int?

  /// Nodes that may run between a product and its reader: a reader further on is not fused (so
  /// the search stays linear in the graph).
  static let reach = 8

  /// The pairs the plan may fuse: a product with a 2-D value that is no root and not kept, read
  /// once, by a node at most `reach` after it, when no node up to the reader takes the buffer of
  /// an operand of the product (which runs later, at the reader's place). The plan still checks
  /// that the reader's buffer overlaps none the product reads.
  static func find(_ graph: Graph, shapes: [[Int]], kept: [NodeID], buffers: [Int])
    -> [EpilogueFusion]
  {
    let nodes = graph.nodes
    var readers = [Int](repeating: 0, count: nodes.count)
    var reader = [Int](repeating: -1, count: nodes.count)
    for (index, node) in nodes.enumerated() {
      for input in node.inputs {
        readers[input.index] += 1
        reader[input.index] = index
      }
    }
    var pinned = [Bool](repeating: false, count: nodes.count)
    for root in graph.roots + kept { pinned[root.index] = true }
    var found: [EpilogueFusion] = []
    for (product, node) in nodes.enumerated() where node.op === Op.matmul {
      let j = reader[product]
      guard readers[product] == 1, !pinned[product], j > product, j - product <= reach,
        shapes[product].count == 2, shapes[j] == shapes[product],
        let work = finishing(nodes[j], product: product, shapes: shapes)
      else { continue }
      let operands = node.inputs.map { buffers[$0.index] }
      guard !(product + 1...j).contains(where: { operands.contains(buffers[$0]) }) else {
        continue
      }
      found.append(
        EpilogueFusion(
          product: product, reader: j, bias: work.bias, activation: work.activation,
          mask: work.mask))
    }
    return found
  }

  /// What `reader` does to the product: `add(#p, #q)` with #q a bias row, then `relu` of that,
  /// or either alone (a `relu` node, or a fused one); or `mul(#p, step(#m))`. Not tanh: applied
  /// per row of each tile, the tanh loop's calls cost W3 4% more instructions than one loop
  /// over C, and its C (32 × 64) is in L1 anyway.
  static func finishing(_ reader: Node, product: Int, shapes: [[Int]]) -> (
    bias: Int?, activation: EpilogueActivation, mask: Int?
  )? {
    if reader.op === Op.relu { return (nil, .relu, nil) }
    guard reader.op === Op.fused,
      let p = reader.inputs.firstIndex(where: { $0.index == product })
    else { return nil }
    let steps = reader.attributes.program("program").steps
    let n = shapes[product][1]
    func unary(_ step: ElementwiseProgram.Step, of operand: ElementwiseProgram.Operand) -> Op? {
      step.operands == [operand] && step.attributes == .none ? step.op : nil
    }
    guard let first = steps.first, steps.count <= 2 else { return nil }
    if steps.count == 2, let m = first.operands.first?.inputIndex, m != p,
      unary(first, of: .input(m)) === Op.step, steps[1].op === Op.mul,
      steps[1].operands == [.input(p), .step(0)],
      shapes[reader.inputs[m].index] == shapes[product]
    {
      return (nil, .identity, reader.inputs[m].index)
    }
    var bias: Int?
    if first.op === Op.add, first.operands.count == 2, first.operands[0] == .input(p),
      let q = first.operands[1].inputIndex, q != p
    {
      let shape = shapes[reader.inputs[q].index]
      guard shape == [n] || shape == [1, n] else { return nil }
      bias = reader.inputs[q].index
    }
    func activation(_ op: Op?) -> EpilogueActivation? {
      op === Op.relu ? .relu : nil
    }
    if steps.count == 1 {
      if bias != nil { return (bias, .identity, nil) }
      return activation(unary(first, of: .input(p))).map { (nil, $0, nil) }
    }
    guard bias != nil, let last = activation(unary(steps[1], of: .step(0))) else { return nil }
    return (bias, last, nil)
  }
}
