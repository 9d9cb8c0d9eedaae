// Shared by the three ISA kernel modules (see PackedProduct.swift).
import FFCKernelCore

extension Kernels {
  public static func log(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int)
  {
    VectorLog.apply(x, out, count: count)
  }
}

/// The natural logarithm in f32, `TanhLane.scalarCount` lanes at a time, within 2 ulp of the
/// exact value over the whole f32 range (LogKernelTests sweeps every 4099th bit pattern against
/// the f64 log on every path): x = m·2^e with m in [√½, √2) read from the bits (a subnormal scaled
/// by 2^23 first), log(m) by Cephes' degree-9 polynomial in m − 1, e·ln 2 added in two parts.
/// log(±0) = -inf, log of a negative number or NaN is NaN, log(+inf) = +inf. IEEE operations
/// without contraction, so every path gives the same bits.
enum VectorLog {
  static func apply(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int) {
    let width = TanhLane.scalarCount
    var i = 0
    while i + width <= count {
      let v = UnsafeRawPointer(x + i).loadUnaligned(as: TanhLane.self)
      UnsafeMutableRawPointer(out + i).storeBytes(of: lanes(v), as: TanhLane.self)
      i += width
    }
    if i < count {
      var v = TanhLane(repeating: 1)
      for lane in 0..<(count - i) { v[lane] = x[i + lane] }
      let y = lanes(v)
      for lane in 0..<(count - i) { out[i + lane] = y[lane] }
    }
  }

  @inline(__always)
  static func lanes(_ input: TanhLane) -> TanhLane {
    var v = input
    let subnormal = v .< TanhLane(repeating: Float.leastNormalMagnitude)
    v.replace(with: v * 8_388_608, where: subnormal)
    let bits = unsafeBitCast(v, to: Lanes.self)
    var exponent = (bits &>> 23) &- 126
    exponent.replace(with: exponent &- 23, where: subnormal)
    // m in [0.5, 1), then doubled below √½ so that m − 1 lies in [√½ − 1, √2 − 1).
    var m = unsafeBitCast((bits & 0x7f_ffff) | 0x3f00_0000, to: TanhLane.self)
    let low = m .< TanhLane(repeating: 0.707106781186547524)
    exponent.replace(with: exponent &- 1, where: low)
    m.replace(with: m + m, where: low)
    let x = m - 1
    // The exponent as a float: its bits added to those of 1.5·2^23, which is then taken away.
    let magic = TanhLane(repeating: 12_582_912)
    let e =
      unsafeBitCast(exponent &+ unsafeBitCast(magic, to: Lanes.self), to: TanhLane.self) - magic
    let z = x * x
    var p = x * 7.0376836292e-2 + -1.1514610310e-1
    p = p * x + 1.1676998740e-1
    p = p * x + -1.2420140846e-1
    p = p * x + 1.4249322787e-1
    p = p * x + -1.6668057665e-1
    p = p * x + 2.0000714765e-1
    p = p * x + -2.4999993993e-1
    p = p * x + 3.3333331174e-1
    var y = x * z * p
    y = y + e * -2.12194440e-4
    y = y - z * 0.5
    var result = (x + y) + e * 0.693359375
    result.replace(with: .infinity, where: input .== .infinity)
    result.replace(with: -.infinity, where: input .== 0)
    result.replace(with: .nan, where: (input .< 0) .| (input .!= input))
    return result
  }
}
