import FFCIR

extension KernelTable {
  static let softmaxKernels: [(Op, OpKernel)] = [
    (
      Op.softmax,
      OpKernel(
        float: { vectorSoftmaxKernel($0, logarithm: false) },
        double: { vectorSoftmaxKernel($0, logarithm: false) })
    ),
    (
      Op.logSoftmax,
      OpKernel(
        float: { vectorSoftmaxKernel($0, logarithm: true) },
        double: { vectorSoftmaxKernel($0, logarithm: true) })
    ),
  ]
}

/// Both precisions run the path's vector exp (Compute+SoftmaxVector.swift), the path fixed when
/// the plan is built.
func vectorSoftmaxKernel<T: PlanScalar>(_ c: KernelCall<T>, logarithm: Bool) -> Instruction {
  let layout = Compute.AxisLayout(shape: c.inputShapes[0], axis: c.attributes.int("axis"))
  let (x, out, isa) = (c.input(0), c.output, Compute.isa)
  return { Compute.vectorSoftmax(x, out, layout, logarithm: logarithm, isa: isa) }
}
