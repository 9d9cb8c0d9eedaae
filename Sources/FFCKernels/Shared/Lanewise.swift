// Shared by the three ISA kernel modules (see PackedProduct.swift).
import FFCKernelCore

extension Kernels {
  public static func lanewise(
    _ op: LanewiseOp, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int
  ) {
    Lanewise.run(op, x, out, count)
  }
  public static func lanewise(
    _ op: LanewiseOp, _ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, count: Int
  ) {
    Lanewise.run(op, x, out, count)
  }
}

/// relu, step, sign and hard_tanh one vector register of this module's width at a time. Each
/// element is compared and chosen, never rounded, so every path gives the scalar reference's bits
/// (NaN and -0 included: the vector form makes the same choices as the scalar one). Each op's loop
/// is written out: a loop shared through a closure lost its inlining on AVX-512. `out` may be `x`.
enum Lanewise {
  static func run<T: LaneScalar>(
    _ op: LanewiseOp, _ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, _ count: Int
  ) {
    switch op {
    case .relu: relu(x, out, count)
    case .step: step(x, out, count)
    case .sign: sign(x, out, count)
    case .hardTanh: hardTanh(x, out, count)
    }
  }

  /// x > 0 ? x : 0
  static func relu<T: LaneScalar>(
    _ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, _ count: Int
  ) {
    let width = T.Lane.scalarCount
    var i = 0
    while i + width <= count {
      let v = UnsafeRawPointer(x + i).loadUnaligned(as: T.Lane.self)
      var y = T.Lane(repeating: 0)
      y.replace(with: v, where: v .> 0)
      UnsafeMutableRawPointer(out + i).storeBytes(of: y, as: T.Lane.self)
      i += width
    }
    while i < count {
      out[i] = x[i] > 0 ? x[i] : 0
      i += 1
    }
  }

  /// x > 0 ? 1 : 0
  static func step<T: LaneScalar>(
    _ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, _ count: Int
  ) {
    let width = T.Lane.scalarCount
    var i = 0
    while i + width <= count {
      let v = UnsafeRawPointer(x + i).loadUnaligned(as: T.Lane.self)
      var y = T.Lane(repeating: 0)
      y.replace(with: 1, where: v .> 0)
      UnsafeMutableRawPointer(out + i).storeBytes(of: y, as: T.Lane.self)
      i += width
    }
    while i < count {
      out[i] = x[i] > 0 ? 1 : 0
      i += 1
    }
  }

  /// x > 0 ? 1 : (x < 0 ? -1 : 0)
  static func sign<T: LaneScalar>(
    _ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, _ count: Int
  ) {
    let width = T.Lane.scalarCount
    var i = 0
    while i + width <= count {
      let v = UnsafeRawPointer(x + i).loadUnaligned(as: T.Lane.self)
      var y = T.Lane(repeating: 0)
      y.replace(with: 1, where: v .> 0)
      y.replace(with: -1, where: v .< 0)
      UnsafeMutableRawPointer(out + i).storeBytes(of: y, as: T.Lane.self)
      i += width
    }
    while i < count {
      out[i] = x[i] > 0 ? 1 : (x[i] < 0 ? -1 : 0)
      i += 1
    }
  }

  /// Swift.min(1, Swift.max(-1, x)): max(a, b) is b >= a ? b : a and min(a, b) is b < a ? b : a,
  /// so NaN gives -1 and -0 stays -0.
  static func hardTanh<T: LaneScalar>(
    _ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, _ count: Int
  ) {
    let width = T.Lane.scalarCount
    var i = 0
    while i + width <= count {
      let v = UnsafeRawPointer(x + i).loadUnaligned(as: T.Lane.self)
      var low = T.Lane(repeating: -1)
      low.replace(with: v, where: v .>= -1)
      var y = T.Lane(repeating: 1)
      y.replace(with: low, where: low .< 1)
      UnsafeMutableRawPointer(out + i).storeBytes(of: y, as: T.Lane.self)
      i += width
    }
    while i < count {
      out[i] = Swift.min(1, Swift.max(-1, x[i]))
      i += 1
    }
  }
}
