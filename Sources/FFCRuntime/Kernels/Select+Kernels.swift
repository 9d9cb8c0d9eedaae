import FFCIR

extension KernelTable {
  static let selectKernels: [(Op, OpKernel)] = [
    (Op.select, OpKernel(float: selectKernel, double: selectKernel))
  ]
}

func selectKernel<T: PlanScalar>(_ c: KernelCall<T>) -> Instruction {
  let (condition, a, b, out, count) = (c.input(0), c.input(1), c.input(2), c.output, c.outputCount)
  // A scalar operand is read at index 0 for every element.
  let (cs, aStride, bStride) = (
    c.inputCount(0) == 1 ? 0 : 1, c.inputCount(1) == 1 ? 0 : 1, c.inputCount(2) == 1 ? 0 : 1
  )
  return {
    for i in 0..<count { out[i] = condition[i &* cs] > 0 ? a[i &* aStride] : b[i &* bStride] }
  }
}
