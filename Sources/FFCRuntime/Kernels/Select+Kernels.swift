import FFCIR
import FFCTensor

extension KernelTable {
  static let selectKernels: [(Op, OpKernel)] = [
    (Op.select, OpKernel(float: selectKernel, double: selectKernel))
  ]
}

/// `where(c, a, b)` by the ISA module's loop (Compute.select), at the path's vector width: a
/// choice per element, so the reference's bits on every path. An operand of one element is
/// repeated.
func selectKernel(_ c: KernelCall<Float>) -> Instruction {
  let (condition, a, b, out, count) = (c.input(0), c.input(1), c.input(2), c.output, c.outputCount)
  let (cCount, aCount, bCount) = (c.inputCount(0), c.inputCount(1), c.inputCount(2))
  return {
    Compute.select(
      condition, cCount: cCount, a, aCount: aCount, b, bCount: bCount, out, count: count)
  }
}

func selectKernel(_ c: KernelCall<Double>) -> Instruction {
  let (condition, a, b, out, count) = (c.input(0), c.input(1), c.input(2), c.output, c.outputCount)
  let (cCount, aCount, bCount) = (c.inputCount(0), c.inputCount(1), c.inputCount(2))
  return {
    Compute.select(
      condition, cCount: cCount, a, aCount: aCount, b, bCount: bCount, out, count: count)
  }
}
