import FFCIR

extension KernelTable {
  static let reduceKernels: [(Op, OpKernel)] = [
    (Op.sum, OpKernel(float: { reductionKernel(.sum, $0) }, double: { reductionKernel(.sum, $0) })),
    (
      Op.mean,
      OpKernel(float: { reductionKernel(.mean, $0) }, double: { reductionKernel(.mean, $0) })
    ),
    (Op.max, OpKernel(float: { reductionKernel(.max, $0) }, double: { reductionKernel(.max, $0) })),
    (Op.size, OpKernel(float: sizeKernel, double: sizeKernel)),
  ]
}

/// What a reduction kernel computes along its axes.
enum Reduction { case sum, mean, max }

func reductionKernel<T: PlanScalar>(_ kind: Reduction, _ c: KernelCall<T>) -> Instruction {
  let axes = c.attributes.ints("axes")
  let layout = Compute.ReductionLayout(shape: c.inputShapes[0], axes: axes)
  // The path's vector loop (FFCKernels' Reduction.swift), fixed when the plan is built.
  let (x, out, count, isa) = (c.input(0), c.output, c.outputCount, Compute.isa)
  switch kind {
  case .sum:
    return { Compute.sum(x, out, layout, isa: isa) }
  case .max:
    return { Compute.max(x, out, layout, isa: isa) }
  case .mean:
    let divisor = T(Kernels.reducedCount(c.inputShapes[0], axes: axes))
    return {
      Compute.sum(x, out, layout, isa: isa)
      for i in 0..<count { out[i] /= divisor }
    }
  }
}

func sizeKernel<T: PlanScalar>(_ c: KernelCall<T>) -> Instruction {
  let (out, size) = (
    c.output, T(Kernels.reducedCount(c.inputShapes[0], axes: c.attributes.ints("axes")))
  )
  return { out[0] = size }
}
