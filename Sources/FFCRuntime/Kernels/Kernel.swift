import FFCIR
import FFCTensor

/// One step of a compiled plan: a kernel with its buffers and loop sizes bound at plan time.
public typealias Instruction = () -> Void

/// Scratch memory shared by every kernel of a plan (only one runs at a time): a kernel reserves
/// what it needs when the plan is built and reads `base` when it runs, once the plan has
/// allocated the largest reservation.
public final class Workspace<T: KernelScalar> {
  // Read by kernels on every run; the plan runs one kernel at a time, so the run-time exclusivity
  // check (a measurable part of a tiny network's step) is left out.
  @exclusivity(unchecked) public private(set) var base: UnsafeMutablePointer<T>?
  public private(set) var count = 0
  /// The fused nodes' layouts made so far in this plan (a `FusedLayouts<T>`), shared by nodes
  /// alike: kernels are made one at a time, as the plan is built.
  var fusedLayouts: AnyObject?

  public init() {}

  public func reserve(_ count: Int) { self.count = Swift.max(self.count, count) }

  /// Reserves what a product of `layout` needs (`workspaceCount`), worked out once per layout:
  /// a deep network's thousands of products have a few layouts, and working out the blocking of
  /// each was a twentieth of a plan's making.
  func reserve(forProduct layout: Compute.MatMulLayout) {
    if products.contains(layout) { return }
    if products.count < 8 { products.append(layout) }
    reserve(layout.workspaceCount(T.self))
  }
  /// The first few product layouts reserved for (`reserve(forProduct:)`): once one has reserved,
  /// another alike needs nothing more.
  private var products: [Compute.MatMulLayout] = []

  /// Called by the plan after every kernel has reserved.
  public func allocate() throws(EvaluationError) {
    guard base == nil, count > 0 else { return }
    base = try MemoryBudget.allocate(count, of: "the kernels' scratch memory", at: nil)
  }

  deinit { base.map(MemoryBudget.release) }
}

/// What an op's kernel factory gets when the plan is built: concrete shapes, attributes, the
/// buffers it reads and writes, and the plan's shared scratch memory.
public struct KernelCall<T: KernelScalar> {
  public let inputs: [UnsafeMutablePointer<T>]
  public let output: UnsafeMutablePointer<T>
  public let inputShapes: [[Int]]
  public let outputShape: [Int]
  public let attributes: Attributes
  public let workspace: Workspace<T>

  public init(
    inputs: [UnsafeMutablePointer<T>], output: UnsafeMutablePointer<T>, inputShapes: [[Int]],
    outputShape: [Int], attributes: Attributes, workspace: Workspace<T>
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
///     (Op.outer, OpKernel(float: outerKernel, double: outerKernel))
///
/// `KernelTable` holds each op's; ops without one run through their reference `evaluate`
/// (correct, but slower).
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

/// One elementwise op over `count` elements: `out[i] = f(a[i], b[i])`. An operand whose count is 1
/// is a scalar, repeated; unary ops ignore `b`. A fused kernel calls it once per block.
public typealias ElementwiseLoop<T> =
  @Sendable (
    _ a: UnsafePointer<T>, _ aCount: Int, _ b: UnsafePointer<T>, _ bCount: Int,
    _ out: UnsafeMutablePointer<T>, _ count: Int
  ) -> Void

/// An elementwise op's block loop in f32 and f64, made once per fused step from its attributes.
public struct ElementwiseKernel: Sendable {
  public let float: @Sendable (Attributes) -> ElementwiseLoop<Float>
  public let double: @Sendable (Attributes) -> ElementwiseLoop<Double>

  public init(
    float: @escaping @Sendable (Attributes) -> ElementwiseLoop<Float>,
    double: @escaping @Sendable (Attributes) -> ElementwiseLoop<Double>
  ) {
    self.float = float
    self.double = double
  }
}

/// An element type a plan can run in: picks its own factory out of an `OpKernel`.
public protocol PlanScalar: KernelScalar {
  static func instruction(_ kernel: OpKernel, _ call: KernelCall<Self>) -> Instruction
  static func loop(_ kernel: ElementwiseKernel, _ attributes: Attributes) -> ElementwiseLoop<Self>
}

extension Float: PlanScalar {
  public static func instruction(_ kernel: OpKernel, _ call: KernelCall<Float>) -> Instruction {
    kernel.float(call)
  }
  public static func loop(_ kernel: ElementwiseKernel, _ attributes: Attributes) -> ElementwiseLoop<
    Float
  > {
    kernel.float(attributes)
  }
}

extension Double: PlanScalar {
  public static func instruction(_ kernel: OpKernel, _ call: KernelCall<Double>) -> Instruction {
    kernel.double(call)
  }
  public static func loop(_ kernel: ElementwiseKernel, _ attributes: Attributes) -> ElementwiseLoop<
    Double
  > {
    kernel.double(attributes)
  }
}
