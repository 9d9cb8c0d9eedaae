import FFCIR

extension KernelTable {
  /// Layout ops move elements and compute nothing: a reshape is a copy, free in place.
  static let layoutKernels: [(Op, OpKernel)] = [
    (Op.broadcastTo, OpKernel(float: broadcastKernel, double: broadcastKernel)),
    (Op.reshape, OpKernel(float: copyKernel, double: copyKernel, inPlace: true)),
    (Op.transpose, OpKernel(float: transposeKernel, double: transposeKernel)),
    (Op.index, OpKernel(float: indexKernel, double: indexKernel)),
    (Op.embed, OpKernel(float: embedKernel, double: embedKernel)),
    // A function's stated derivative is its forward value (operand 0); the optimiser drops the
    // op, so only an unoptimised plan copies.
    (Op.customVJP, OpKernel(float: copyKernel, double: copyKernel)),
  ]
}

func broadcastKernel<T: PlanScalar>(_ c: KernelCall<T>) -> Instruction {
  let layout = Compute.StridedLayout(broadcasting: c.inputShapes[0], to: c.outputShape)
  let (x, out) = (c.input(0), c.output)
  return { Compute.gather(x, out, layout) }
}

/// reshape: the same elements; free when the plan runs it in place.
func copyKernel<T: PlanScalar>(_ c: KernelCall<T>) -> Instruction {
  let (x, out, count) = (c.input(0), c.output, c.outputCount)
  return { Compute.copy(x, out, count: count) }
}

func transposeKernel<T: PlanScalar>(_ c: KernelCall<T>) -> Instruction {
  let (x, out, shape) = (c.input(0), c.output, c.inputShapes[0])
  guard shape.count == 2 else { return copyKernel(c) }
  return { Compute.transpose(x, out, rows: shape[0], columns: shape[1]) }
}

/// The offset of the sub-value at leading `indices` of a row-major value of `shape`.
private func leadingOffset(_ indices: [Int], in shape: [Int]) -> Int {
  Swift.zip(indices, rowMajorStrides(shape)).reduce(0) { $0 + $1.0 * $1.1 }
}

func indexKernel<T: PlanScalar>(_ c: KernelCall<T>) -> Instruction {
  let offset = leadingOffset(c.attributes.ints("indices"), in: c.inputShapes[0])
  let (x, out, count) = (c.input(0) + offset, c.output, c.outputCount)
  return { Compute.copy(x, out, count: count) }
}

func embedKernel<T: PlanScalar>(_ c: KernelCall<T>) -> Instruction {
  let offset = leadingOffset(c.attributes.ints("indices"), in: c.outputShape)
  let (x, out, count, total) = (c.input(0), c.output, c.inputCount(0), c.outputCount)
  return {
    Compute.fill(out, 0, count: total)
    Compute.copy(x, out + offset, count: count)
  }
}
