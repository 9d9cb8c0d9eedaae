import FFCIR

extension KernelTable {
  static let softmaxKernels: [(Op, OpKernel)] = [
    (
      Op.softmax,
      OpKernel(
        float: { floatSoftmaxKernel($0, logarithm: false) },
        double: { softmaxKernel($0, logarithm: false) })
    ),
    (
      Op.logSoftmax,
      OpKernel(
        float: { floatSoftmaxKernel($0, logarithm: true) },
        double: { softmaxKernel($0, logarithm: true) })
    ),
  ]
}

func softmaxKernel<T: PlanScalar>(_ c: KernelCall<T>, logarithm: Bool) -> Instruction {
  let layout = Compute.AxisLayout(shape: c.inputShapes[0], axis: c.attributes.int("axis"))
  let (x, out) = (c.input(0), c.output)
  return { Compute.softmax(x, out, layout, logarithm: logarithm) }
}

/// f32 runs the vector exp (Compute+SoftmaxFloat.swift).
func floatSoftmaxKernel(_ c: KernelCall<Float>, logarithm: Bool) -> Instruction {
  let layout = Compute.AxisLayout(shape: c.inputShapes[0], axis: c.attributes.int("axis"))
  let (x, out) = (c.input(0), c.output)
  return { Compute.vectorSoftmax(x, out, layout, logarithm: logarithm) }
}
