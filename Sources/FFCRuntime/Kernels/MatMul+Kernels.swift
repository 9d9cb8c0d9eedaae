import FFCIR

extension KernelTable {
  static let matmulKernels: [(Op, OpKernel)] = [
    (Op.matmul, OpKernel(float: matmulKernel, double: matmulKernel)),
    (Op.outer, OpKernel(float: outerKernel, double: outerKernel)),
  ]
}

func matmulKernel<T: PlanScalar>(_ c: KernelCall<T>) -> Instruction {
  let layout = Compute.MatMulLayout(
    a: c.inputShapes[0], b: c.inputShapes[1], transposeA: c.attributes.bool("transpose_a"),
    transposeB: c.attributes.bool("transpose_b"))
  let workspace = c.workspace
  workspace.reserve(layout.workspaceCount(T.self))
  let (a, b, out) = (c.input(0), c.input(1), c.output)
  return { Compute.matmul(a, b, out, layout, workspace: workspace.base) }
}

func outerKernel<T: PlanScalar>(_ c: KernelCall<T>) -> Instruction {
  let (a, b, out) = (c.input(0), c.input(1), c.output)
  let (m, n) = (c.inputCount(0), c.inputCount(1))
  return { Compute.outer(a, b, out, m: m, n: n) }
}
