// Shared by the three ISA kernel modules (see PackedProduct.swift).
import FFCKernelCore

extension Kernels {
  public static func sigmoid(
    _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int
  ) {
    VectorSigmoid.apply(x, out, count: count)
  }

  public static func softplus(
    _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int
  ) {
    VectorSoftplus.apply(x, out, count: count)
  }
}

/// 1 / (1 + e^-x) in f32 on the vector exp: e = e^-|x|, then 1 / (1 + e) for x ≥ 0 and
/// e / (1 + e) below, one division either way, so nothing overflows. Within 2.5 ulp
/// (ActivationKernelTests sweeps it); the same bits on every path.
enum VectorSigmoid {
  static func apply(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int) {
    let width = TanhLane.scalarCount
    var i = 0
    while i + width <= count {
      let v = UnsafeRawPointer(x + i).loadUnaligned(as: TanhLane.self)
      UnsafeMutableRawPointer(out + i).storeBytes(of: lanes(v), as: TanhLane.self)
      i += width
    }
    if i < count {
      var v = TanhLane(repeating: 0)
      for lane in 0..<(count - i) { v[lane] = x[i + lane] }
      let y = lanes(v)
      for lane in 0..<(count - i) { out[i + lane] = y[lane] }
    }
  }

  @inline(__always)
  static func lanes(_ x: TanhLane) -> TanhLane {
    var negative = x
    negative.replace(with: -x, where: x .> 0)
    let e = VectorExp.lanes(negative)
    var numerator = TanhLane(repeating: 1)
    numerator.replace(with: e, where: x .< 0)
    return numerator / (1 + e)
  }
}

/// softplus(x) = max(x, 0) + log(1 + e^-|x|) in f32 on the vector exp and log, with
/// log(1 + e) taken as log(u)·e/(u − 1) for u = 1 + e (Goldberg's log1p, exact where 1 + e
/// rounds), and e itself where u rounds to 1. Within 3 ulp (ActivationKernelTests); the same
/// bits on every path.
enum VectorSoftplus {
  static func apply(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int) {
    let width = TanhLane.scalarCount
    var i = 0
    while i + width <= count {
      let v = UnsafeRawPointer(x + i).loadUnaligned(as: TanhLane.self)
      UnsafeMutableRawPointer(out + i).storeBytes(of: lanes(v), as: TanhLane.self)
      i += width
    }
    if i < count {
      var v = TanhLane(repeating: 0)
      for lane in 0..<(count - i) { v[lane] = x[i + lane] }
      let y = lanes(v)
      for lane in 0..<(count - i) { out[i + lane] = y[lane] }
    }
  }

  @inline(__always)
  static func lanes(_ x: TanhLane) -> TanhLane {
    var negative = x
    negative.replace(with: -x, where: x .> 0)
    let e = VectorExp.lanes(negative)
    let u = 1 + e
    var tail = VectorLog.lanes(u) * (e / (u - 1))
    tail.replace(with: e, where: u .== 1)
    var positive = x
    positive.replace(with: 0, where: x .< 0)
    return positive + tail
  }
}
