import FFCIR

extension KernelTable {
  static let lossKernels: [(Op, OpKernel)] = [
    (
      Op.softmaxCrossEntropy,
      OpKernel(float: softmaxCrossEntropyKernel, double: softmaxCrossEntropyKernel)
    ),
    (
      Op.sigmoidCrossEntropy,
      OpKernel(float: sigmoidCrossEntropyKernel, double: sigmoidCrossEntropyKernel)
    ),
    (Op.oneHot, OpKernel(float: oneHotKernel, double: oneHotKernel)),
  ]
}

func softmaxCrossEntropyKernel<T: PlanScalar>(_ c: KernelCall<T>) -> Instruction {
  let (z, labels, out) = (c.input(0), c.input(1), c.output)
  let classes = c.inputShapes[0].last ?? 1
  let (rows, isa) = (c.inputCount(1), Compute.isa)
  return {
    out[0] = Compute.vectorSoftmaxCrossEntropy(z, labels, rows: rows, classes: classes, isa: isa)
  }
}

/// Each term on the ISA module's vector exp and log, summed in index order
/// (Compute.vectorSigmoidCrossEntropy): the same bits on every path.
func sigmoidCrossEntropyKernel(_ c: KernelCall<Float>) -> Instruction {
  let (z, targets, out, count) = (c.input(0), c.input(1), c.output, c.inputCount(0))
  return { out[0] = Compute.vectorSigmoidCrossEntropy(z, targets, count: count) }
}

func sigmoidCrossEntropyKernel(_ c: KernelCall<Double>) -> Instruction {
  let (z, targets, out, count) = (c.input(0), c.input(1), c.output, c.inputCount(0))
  return { out[0] = Compute.vectorSigmoidCrossEntropy(z, targets, count: count) }
}

func oneHotKernel<T: PlanScalar>(_ c: KernelCall<T>) -> Instruction {
  let (labels, out, count) = (c.input(0), c.output, c.inputCount(0))
  let classes = c.attributes.int("classes")
  return { Compute.oneHot(labels, out, count: count, classes: classes) }
}
