import FFCTensor

/// One step of a compiled plan: a kernel with its buffers and loop sizes bound at plan time.
public typealias Instruction = () -> Void

/// What an op's kernel factory gets when the plan is built: concrete shapes, attributes, the
/// buffers it reads and writes, and a way to ask for scratch memory the plan owns and counts.
public struct KernelCall<T: KernelScalar> {
  public let inputs: [UnsafeMutablePointer<T>]
  public let output: UnsafeMutablePointer<T>
  public let inputShapes: [[Int]]
  public let outputShape: [Int]
  public let attributes: Attributes
  public let workspace: (_ count: Int) -> UnsafeMutablePointer<T>

  public init(
    inputs: [UnsafeMutablePointer<T>], output: UnsafeMutablePointer<T>, inputShapes: [[Int]],
    outputShape: [Int], attributes: Attributes, workspace: @escaping (Int) -> UnsafeMutablePointer<T>
  ) {
    self.inputs = inputs
    self.output = output
    self.inputShapes = inputShapes
    self.outputShape = outputShape
    self.attributes = attributes
    self.workspace = workspace
  }

  public var outputCount: Int { outputShape.reduce(1, *) }
  public func inputCount(_ index: Int) -> Int { inputShapes[index].reduce(1, *) }
  public func input(_ index: Int) -> UnsafePointer<T> { UnsafePointer(inputs[index]) }
}

/// An op's fast kernel, in f32 and f64. Written once as a generic function and given twice, so
/// that each precision gets its own specialised copy:
///
///     kernel: OpKernel(float: sumKernel, double: sumKernel)
///
/// Ops without one run through their reference `evaluate` (correct, but slower).
public struct OpKernel: Sendable {
  public let float: @Sendable (KernelCall<Float>) -> Instruction
  public let double: @Sendable (KernelCall<Double>) -> Instruction
  /// Whether the output may share a buffer with an input the op reads for the last time (only
  /// kernels that read element i before writing element i).
  public let inPlace: Bool

  public init(
    float: @escaping @Sendable (KernelCall<Float>) -> Instruction,
    double: @escaping @Sendable (KernelCall<Double>) -> Instruction, inPlace: Bool = false
  ) {
    self.float = float
    self.double = double
    self.inPlace = inPlace
  }
}

/// An element type a plan can run in: picks its own factory out of an `OpKernel`.
public protocol PlanScalar: KernelScalar {
  static func instruction(_ kernel: OpKernel, _ call: KernelCall<Self>) -> Instruction
}

extension Float: PlanScalar {
  public static func instruction(_ kernel: OpKernel, _ call: KernelCall<Float>) -> Instruction { kernel.float(call) }
}

extension Double: PlanScalar {
  public static func instruction(_ kernel: OpKernel, _ call: KernelCall<Double>) -> Instruction { kernel.double(call) }
}
