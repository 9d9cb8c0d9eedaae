/// Fast kernels over raw row-major buffers, generic over the element type. Every function is
/// `@inlinable` so that each scalar function's conformance (in FFCIR, where the ops define them)
/// specialises it for Float and Double with the function inlined into the loop: plain counted
/// loops the compiler can vectorise.
/// Outputs may alias an input exactly (the planner runs elementwise ops in place); no kernel
/// here reads an element after writing the output element at the same index.
public enum Compute {}

extension Compute {
  @inlinable
  public static func map<T: KernelScalar, F: UnaryFunction>(
    _: F.Type, _ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, count: Int
  ) {
    for i in 0..<count { out[i] = F.apply(x[i]) }
  }

  @inlinable
  public static func map<T: KernelScalar, F: ParametricFunction>(
    _: F.Type, _ x: UnsafePointer<T>, parameter: T, _ out: UnsafeMutablePointer<T>, count: Int
  ) {
    for i in 0..<count { out[i] = F.apply(x[i], parameter) }
  }

  /// `out[i] = f(a[i], b[i])`, where either operand may be a single scalar repeated.
  @inlinable
  public static func zip<T: KernelScalar, F: BinaryFunction>(
    _: F.Type, _ a: UnsafePointer<T>, aCount: Int, _ b: UnsafePointer<T>, bCount: Int,
    _ out: UnsafeMutablePointer<T>, count: Int
  ) {
    if aCount == count && bCount == count {
      for i in 0..<count { out[i] = F.apply(a[i], b[i]) }
    } else if bCount == 1 {
      let y = b[0]
      for i in 0..<count { out[i] = F.apply(a[i], y) }
    } else {
      let x = a[0]
      for i in 0..<count { out[i] = F.apply(x, b[i]) }
    }
  }

  @inlinable
  public static func fill<T: KernelScalar>(_ out: UnsafeMutablePointer<T>, _ value: T, count: Int) {
    out.update(repeating: value, count: count)
  }

  @inlinable
  public static func copy<T: KernelScalar>(
    _ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, count: Int
  ) {
    if UnsafePointer(out) != x { out.update(from: x, count: count) }
  }

  @inlinable
  public static func scale<T: KernelScalar>(
    _ out: UnsafeMutablePointer<T>, by factor: T, count: Int
  ) {
    for i in 0..<count { out[i] *= factor }
  }
}
