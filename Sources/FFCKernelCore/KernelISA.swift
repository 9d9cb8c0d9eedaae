/// The instruction-set paths the kernels are compiled for. Each is a module of its own
/// (`FFCKernelsAVX512`, `FFCKernelsAVX2`, `FFCKernelsGeneric`) built from the same Swift sources
/// with its own `-target-cpu`; `Compute` picks one at run time from the CPU's features.
public enum KernelISA: String, CaseIterable, Comparable, Sendable {
  /// The baseline of the architecture: SSE2 on x86-64, NEON on arm64.
  case generic
  /// AVX2 + FMA (Haswell and later, every Zen): 256-bit vectors.
  case avx2
  /// AVX-512 F/CD/BW/DQ/VL (Skylake-SP and later, Zen 4 and later): 512-bit vectors.
  case avx512

  public static func < (lhs: KernelISA, rhs: KernelISA) -> Bool {
    allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
  }
}

/// The kernels one ISA module provides: the entry points the dispatcher calls once per product
/// or per block, never per element.
public protocol ISAKernels {
  static var isa: KernelISA { get }
  /// Rows of the packed product's register tile (MR).
  static var tileRows: Int { get }
  /// Columns of the register tile (NR) in f32 and in f64: two vector registers' worth.
  static var floatTileColumns: Int { get }
  static var doubleTileColumns: Int { get }
  /// Bytes of one vector register.
  static var vectorBytes: Int { get }

  /// One thread's part of a packed product (`Compute+GEMM.swift` splits and blocks it).
  static func blockedProduct(_ part: ProductPart<Float>)
  static func blockedProduct(_ part: ProductPart<Double>)

  /// The FMA ceiling probe: `iterations` rounds of twelve register-wide multiply-adds; returns
  /// a value that depends on every one of them and the FLOPs done.
  static func fmaProbe(_ seed: Float, iterations: Int) -> (result: Float, flops: Int)
  static func fmaProbe(_ seed: Double, iterations: Int) -> (result: Double, flops: Int)

  /// `out = a ∘ b` elementwise, either operand possibly one scalar repeated (`aCount` or
  /// `bCount` 1).
  static func arithmetic(
    _ op: ArithmeticOp, _ a: UnsafePointer<Float>, aCount: Int, _ b: UnsafePointer<Float>,
    bCount: Int, _ out: UnsafeMutablePointer<Float>, count: Int)
  static func arithmetic(
    _ op: ArithmeticOp, _ a: UnsafePointer<Double>, aCount: Int, _ b: UnsafePointer<Double>,
    bCount: Int, _ out: UnsafeMutablePointer<Double>, count: Int)

  /// tanh in f32 by the vectorised rational approximation.
  static func tanh(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int)
  /// e^x in f32 by the vectorised range reduction and polynomial, within 1 ulp.
  static func exp(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int)
  /// The natural logarithm in f32 by the vectorised reduction and polynomial, within 2 ulp.
  static func log(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int)
  /// e^x in f64 by fdlibm's reduction and Remez form, within 1 ulp.
  static func exp(_ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, count: Int)
  /// The natural logarithm in f64 by Cephes' two rational forms, within 1 ulp.
  static func log(_ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, count: Int)
  /// 1 / (1 + e^-x) in f32 on the vector exp, within 2.5 ulp.
  static func sigmoid(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int)
  /// log(1 + e^x) in f32 on the vector exp and log, within 3 ulp.
  static func softplus(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int)
  /// tanh, sigmoid and softplus in f64 on the f64 vector exp and log, within 2, 2.5 and 3 ulp.
  static func tanh(_ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, count: Int)
  static func sigmoid(_ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, count: Int)
  static func softplus(_ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, count: Int)

  /// A lane-wise op elementwise (`LanewiseOp`; FFCKernels' Lanewise.swift): the scalar
  /// reference's bits. `out` may be `x`.
  static func lanewise(
    _ op: LanewiseOp, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int)
  static func lanewise(
    _ op: LanewiseOp, _ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, count: Int)
  /// leaky_relu or leaky_step elementwise with slope `parameter`, the reference's bits.
  static func lanewise(
    _ op: ParametricLanewiseOp, _ x: UnsafePointer<Float>, parameter: Float,
    _ out: UnsafeMutablePointer<Float>, count: Int)
  static func lanewise(
    _ op: ParametricLanewiseOp, _ x: UnsafePointer<Double>, parameter: Double,
    _ out: UnsafeMutablePointer<Double>, count: Int)
  /// `where(c, a, b)`: a where c > 0, else b; an operand of count 1 is one value repeated.
  static func select(
    _ c: UnsafePointer<Float>, cCount: Int, _ a: UnsafePointer<Float>, aCount: Int,
    _ b: UnsafePointer<Float>, bCount: Int, _ out: UnsafeMutablePointer<Float>, count: Int)
  static func select(
    _ c: UnsafePointer<Double>, cCount: Int, _ a: UnsafePointer<Double>, aCount: Int,
    _ b: UnsafePointer<Double>, bCount: Int, _ out: UnsafeMutablePointer<Double>, count: Int)
  /// equal or prelu elementwise (`BinaryLanewiseOp`), either operand possibly one value
  /// repeated (its count 1): the scalar reference's bits. `out` may be an operand.
  static func lanewise(
    _ op: BinaryLanewiseOp, _ a: UnsafePointer<Float>, aCount: Int, _ b: UnsafePointer<Float>,
    bCount: Int, _ out: UnsafeMutablePointer<Float>, count: Int)
  static func lanewise(
    _ op: BinaryLanewiseOp, _ a: UnsafePointer<Double>, aCount: Int, _ b: UnsafePointer<Double>,
    bCount: Int, _ out: UnsafeMutablePointer<Double>, count: Int)
  /// The mean of max(z, 0) − z·t + log(1 + e^-|z|) over `count` elements, each term on the
  /// vector exp and log, summed in index order.
  static func sigmoidCrossEntropy(
    _ z: UnsafePointer<Float>, _ t: UnsafePointer<Float>, count: Int
  ) -> Float
  static func sigmoidCrossEntropy(
    _ z: UnsafePointer<Double>, _ t: UnsafePointer<Double>, count: Int
  ) -> Double

  /// A sum or maximum over the middle axis of `outer × reduced × inner` into `outer × inner`
  /// (FFCKernels' Reduction.swift says in which order; the same bits on every path).
  static func reduce(
    _ op: ReductionOp, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
    outer: Int, reduced: Int, inner: Int)
  static func reduce(
    _ op: ReductionOp, _ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>,
    outer: Int, reduced: Int, inner: Int)
}

/// The reductions the ISA modules run: the sum from 0, and the maximum from -inf keeping the first
/// NaN.
public enum ReductionOp: Sendable, CaseIterable {
  case sum, max
}

/// The elementwise operations the ISA modules run at their vector width: one IEEE operation per
/// element, so the result is the same on every path.
public enum ArithmeticOp: Sendable, CaseIterable {
  case add, subtract, multiply, divide
}

/// Lane-wise ops that the ISA modules run (FFCKernels' Lanewise.swift): each element's result is
/// a comparison and a choice, a sign bit, or one IEEE operation, so every path gives the
/// reference's bits.
public enum LanewiseOp: Sendable, CaseIterable {
  /// x > 0 ? x : 0
  case relu
  /// x > 0 ? 1 : 0 (relu's derivative)
  case step
  /// x > 0 ? 1 : (x < 0 ? -1 : 0)
  case sign
  /// min(1, max(-1, x)) as Swift's `min` and `max` choose (NaN gives -1)
  case hardTanh
  /// |x|
  case abs
  /// -x
  case negate
  /// √x: one IEEE operation, correctly rounded on every path
  case squareRoot
  /// x · x: one IEEE operation
  case square
}

/// Binary lane-wise ops: a comparison and a choice per element (prelu also one multiplication),
/// so every path gives the reference's bits.
public enum BinaryLanewiseOp: Sendable, CaseIterable {
  /// a == b ? 1 : 0
  case equal
  /// a > 0 ? a : b · a (x with slope b)
  case prelu
}

/// Lane-wise ops with one numeric option α: a choice, and for leaky_relu one multiplication, per
/// element, so every path gives the reference's bits.
public enum ParametricLanewiseOp: Sendable, CaseIterable {
  /// x > 0 ? x : x · α
  case leakyRelu
  /// x > 0 ? 1 : α (leaky_relu's derivative)
  case leakyStep
}
