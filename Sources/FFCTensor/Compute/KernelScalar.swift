import Foundation

/// The element types the compiled interpreter runs in: `Float` (the default) and `Double`. The
/// kernels are generic over it and specialised for both at compile time, so no per-element
/// dynamic dispatch survives into the loops. `PanelScalar` picks the ISA module's packed
/// matrix product.
public protocol KernelScalar: PanelScalar, Sendable {
  static func exp(_ x: Self) -> Self
  static func log(_ x: Self) -> Self
  static func log1p(_ x: Self) -> Self
  static func expm1(_ x: Self) -> Self
  static func tanh(_ x: Self) -> Self
  static func sin(_ x: Self) -> Self
  static func cos(_ x: Self) -> Self
  static func pow(_ x: Self, _ y: Self) -> Self
  /// `.f32` or `.f64`: the precision this type computes in.
  static var precision: Precision { get }
}

extension Float: KernelScalar {
  @inlinable public static func exp(_ x: Float) -> Float { Foundation.expf(x) }
  @inlinable public static func log(_ x: Float) -> Float { Foundation.logf(x) }
  @inlinable public static func log1p(_ x: Float) -> Float { Foundation.log1pf(x) }
  @inlinable public static func expm1(_ x: Float) -> Float { Foundation.expm1f(x) }
  @inlinable public static func tanh(_ x: Float) -> Float { Foundation.tanhf(x) }
  @inlinable public static func sin(_ x: Float) -> Float { Foundation.sinf(x) }
  @inlinable public static func cos(_ x: Float) -> Float { Foundation.cosf(x) }
  @inlinable public static func pow(_ x: Float, _ y: Float) -> Float { Foundation.powf(x, y) }
  public static var precision: Precision { .f32 }
}

extension Double: KernelScalar {
  @inlinable public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
  @inlinable public static func log(_ x: Double) -> Double { Foundation.log(x) }
  @inlinable public static func log1p(_ x: Double) -> Double { Foundation.log1p(x) }
  @inlinable public static func expm1(_ x: Double) -> Double { Foundation.expm1(x) }
  @inlinable public static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
  @inlinable public static func sin(_ x: Double) -> Double { Foundation.sin(x) }
  @inlinable public static func cos(_ x: Double) -> Double { Foundation.cos(x) }
  @inlinable public static func pow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
  public static var precision: Precision { .f64 }
}

/// A scalar function `y = f(x)`, written once and used by the f64 reference evaluation and by the
/// f32 and f64 kernels alike.
///
/// The loops over a block (`map`, `zip`) are requirements with default implementations, so each
/// conforming function gets its own specialised copy per precision, the scalar function inlined,
/// where it conforms: the runtime holds the function only as a metatype (`any UnaryFunction.Type`)
/// and still runs a specialised loop, at the cost of one indirect call per block.
public protocol UnaryFunction: SendableMetatype {
  static func apply<T: KernelScalar>(_ x: T) -> T
  static func map(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int)
  static func map(_ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, count: Int)
}

/// `y = f(x; p)` with one numeric option (leaky_relu's slope).
public protocol ParametricFunction: SendableMetatype {
  static func apply<T: KernelScalar>(_ x: T, _ parameter: T) -> T
  static func map(
    _ x: UnsafePointer<Float>, parameter: Float, _ out: UnsafeMutablePointer<Float>, count: Int)
  static func map(
    _ x: UnsafePointer<Double>, parameter: Double, _ out: UnsafeMutablePointer<Double>, count: Int)
}

/// `z = f(x, y)`.
public protocol BinaryFunction: SendableMetatype {
  static func apply<T: KernelScalar>(_ x: T, _ y: T) -> T
  static func zip(
    _ a: UnsafePointer<Float>, aCount: Int, _ b: UnsafePointer<Float>, bCount: Int,
    _ out: UnsafeMutablePointer<Float>, count: Int)
  static func zip(
    _ a: UnsafePointer<Double>, aCount: Int, _ b: UnsafePointer<Double>, bCount: Int,
    _ out: UnsafeMutablePointer<Double>, count: Int)
}

extension UnaryFunction {
  @inlinable
  public static func map(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int)
  {
    Compute.map(Self.self, x, out, count: count)
  }

  @inlinable
  public static func map(
    _ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, count: Int
  ) {
    Compute.map(Self.self, x, out, count: count)
  }
}

extension ParametricFunction {
  @inlinable
  public static func map(
    _ x: UnsafePointer<Float>, parameter: Float, _ out: UnsafeMutablePointer<Float>, count: Int
  ) {
    Compute.map(Self.self, x, parameter: parameter, out, count: count)
  }

  @inlinable
  public static func map(
    _ x: UnsafePointer<Double>, parameter: Double, _ out: UnsafeMutablePointer<Double>, count: Int
  ) {
    Compute.map(Self.self, x, parameter: parameter, out, count: count)
  }
}

extension BinaryFunction {
  @inlinable
  public static func zip(
    _ a: UnsafePointer<Float>, aCount: Int, _ b: UnsafePointer<Float>, bCount: Int,
    _ out: UnsafeMutablePointer<Float>, count: Int
  ) {
    Compute.zip(Self.self, a, aCount: aCount, b, bCount: bCount, out, count: count)
  }

  @inlinable
  public static func zip(
    _ a: UnsafePointer<Double>, aCount: Int, _ b: UnsafePointer<Double>, bCount: Int,
    _ out: UnsafeMutablePointer<Double>, count: Int
  ) {
    Compute.zip(Self.self, a, aCount: aCount, b, bCount: bCount, out, count: count)
  }
}
