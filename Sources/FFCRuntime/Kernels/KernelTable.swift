import FFCIR
import FFCTensor

/// How the runtime runs each op. Elementwise ops get a kernel and a block loop derived from their
/// scalar function (`Elementwise+Kernels.swift`); the others have kernels written for them, listed
/// per family (`Reduce+Kernels.swift`, ...). Built once; a plan looks each node's kernel up when
/// it is built, never while it runs. The IR knows what an op computes, not how it runs.
public enum KernelTable {
  /// Every op the runtime may meet: the registry's and the execution passes' own (`fused`).
  static let ops: [Op] = {
    var seen = Set<ObjectIdentifier>()
    return (OpRegistry.all + Op.executionOps).filter { seen.insert(ObjectIdentifier($0)).inserted }
  }()

  static let writtenKernels: [(Op, OpKernel)] =
    layoutKernels + lossKernels + matmulKernels + reduceKernels + selectKernels + softmaxKernels
    + fusedKernels

  /// The block loop of each elementwise op, for the fused kernel and for its own kernel.
  static let loops: [ObjectIdentifier: ElementwiseKernel] = {
    var table: [ObjectIdentifier: ElementwiseKernel] = [:]
    for op in ops { if let f = op.scalarFunction { table[ObjectIdentifier(op)] = .init(f) } }
    // An ISA module's loop is made when a plan builds it, for the path current then.
    for (op, float) in floatLoops {
      guard let derived = table[ObjectIdentifier(op)] else { continue }
      table[ObjectIdentifier(op)] = ElementwiseKernel(
        float: { _ in float(Compute.isa) }, double: derived.double)
    }
    for (op, double) in doubleLoops {
      guard let derived = table[ObjectIdentifier(op)] else { continue }
      table[ObjectIdentifier(op)] = ElementwiseKernel(
        float: derived.float, double: { _ in double(Compute.isa) })
    }
    for (op, kernel) in parametricLoops where table[ObjectIdentifier(op)] != nil {
      table[ObjectIdentifier(op)] = kernel
    }
    return table
  }()

  static let kernels: [ObjectIdentifier: OpKernel] = {
    var table: [ObjectIdentifier: OpKernel] = [:]
    for (id, loop) in loops { table[id] = OpKernel(elementwise: loop) }
    for (op, kernel) in writtenKernels { table[ObjectIdentifier(op)] = kernel }
    return table
  }()

  /// The kernel a plan runs for `op`; nil: the plan runs the op's reference `evaluate`.
  public static func kernel(for op: Op) -> OpKernel? { kernels[ObjectIdentifier(op)] }

  /// The block loop a fused kernel applies for an elementwise op.
  public static func loop(for op: Op) -> ElementwiseKernel? { loops[ObjectIdentifier(op)] }

  /// Ops no kernel runs, and why; every other op has one (a test holds the registry to it).
  public static let withoutKernel: [(op: Op, reason: String)] = [
    (Op.input, "a leaf: the caller writes its value into the plan"),
    (Op.param, "a leaf: the caller writes its value into the plan"),
    (Op.const, "a leaf: the plan writes its value once, when it is built"),
  ]
}
