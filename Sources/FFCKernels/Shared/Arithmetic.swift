// Shared by the three ISA kernel modules (see PackedProduct.swift).
import FFCKernelCore

extension Kernels {
  public static func arithmetic(
    _ op: ArithmeticOp, _ a: UnsafePointer<Float>, aCount: Int, _ b: UnsafePointer<Float>,
    bCount: Int, _ out: UnsafeMutablePointer<Float>, count: Int
  ) {
    Arithmetic.zip(op, a, aCount, b, bCount, out, count)
  }
  public static func arithmetic(
    _ op: ArithmeticOp, _ a: UnsafePointer<Double>, aCount: Int, _ b: UnsafePointer<Double>,
    bCount: Int, _ out: UnsafeMutablePointer<Double>, count: Int
  ) {
    Arithmetic.zip(op, a, aCount, b, bCount, out, count)
  }
}

/// `out[i] = a[i] ∘ b[i]` (either operand may be one scalar repeated), vectorised by the
/// compiler at this module's width. Each is one IEEE operation per element, so every path gives
/// the same bits as the baseline loop.
enum Arithmetic {
  static func zip<T: LaneScalar>(
    _ op: ArithmeticOp, _ a: UnsafePointer<T>, _ aCount: Int, _ b: UnsafePointer<T>,
    _ bCount: Int, _ out: UnsafeMutablePointer<T>, _ count: Int
  ) {
    switch op {
    case .add: loop(a, aCount, b, bCount, out, count) { $0 + $1 }
    case .subtract: loop(a, aCount, b, bCount, out, count) { $0 - $1 }
    case .multiply: loop(a, aCount, b, bCount, out, count) { $0 * $1 }
    case .divide: loop(a, aCount, b, bCount, out, count) { $0 / $1 }
    }
  }

  /// The three shapes of a binary elementwise loop, as `Compute.zip` has them: equal lengths, or
  /// one operand a scalar. Outputs may alias an input exactly (each element is read first).
  @inline(__always)
  static func loop<T: LaneScalar>(
    _ a: UnsafePointer<T>, _ aCount: Int, _ b: UnsafePointer<T>, _ bCount: Int,
    _ out: UnsafeMutablePointer<T>, _ count: Int, _ f: (T, T) -> T
  ) {
    if aCount == count && bCount == count {
      for i in 0..<count { out[i] = f(a[i], b[i]) }
    } else if bCount == 1 {
      let y = b[0]
      for i in 0..<count { out[i] = f(a[i], y) }
    } else {
      let x = a[0]
      for i in 0..<count { out[i] = f(x, b[i]) }
    }
  }
}
