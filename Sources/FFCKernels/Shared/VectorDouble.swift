// Shared by the three ISA kernel modules (see PackedProduct.swift).
import FFCKernelCore

extension Kernels {
  public static func exp(
    _ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, count: Int
  ) {
    VectorExpDouble.apply(x, out, count: count)
  }

  public static func log(
    _ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, count: Int
  ) {
    VectorLogDouble.apply(x, out, count: count)
  }
}

/// One vector register of f64 lanes (8 with AVX-512, 4 with AVX2, 2 with SSE2 or NEON) and the
/// same lanes as 64-bit integers.
typealias DoubleLane = Double.Lane
typealias DoubleBits = Double.Lane.MaskStorage

/// e^x in f64, a register at a time: n = round(x / ln 2), r = x − n·ln 2 in two parts, e^r as
/// fdlibm's e_exp.c takes it (1 + r + r·c/(2 − c) with c = r − r²·P(r²), P a degree-4 Remez
/// polynomial), and 2^n built in the exponent bits in two halves, so a subnormal result is
/// rounded once. Within 1 ulp of the exact value
/// (ExpKernelTests sweeps it against an 80-bit exp on x86-64); above ln(DBL_MAX) +inf, below
/// ln(2^-1075) +0, NaN kept. IEEE operations without contraction: the same bits on every path.
/// glibc's `exp` is scalar.
enum VectorExpDouble {
  static func apply(_ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, count: Int) {
    let width = DoubleLane.scalarCount
    var i = 0
    while i + width <= count {
      let v = UnsafeRawPointer(x + i).loadUnaligned(as: DoubleLane.self)
      UnsafeMutableRawPointer(out + i).storeBytes(of: lanes(v), as: DoubleLane.self)
      i += width
    }
    if i < count {
      var v = DoubleLane(repeating: 0)
      for lane in 0..<(count - i) { v[lane] = x[i + lane] }
      let y = lanes(v)
      for lane in 0..<(count - i) { out[i + lane] = y[lane] }
    }
  }

  @_transparent
  static func lanes(_ input: DoubleLane) -> DoubleLane {
    let overflow = DoubleLane(repeating: 709.782712893383973096)
    let underflow = DoubleLane(repeating: -745.1332191019412076235)
    var x = input
    x.replace(with: overflow, where: x .> overflow)
    x.replace(with: underflow, where: x .< underflow)
    // Rounded to the nearest integer by adding 1.5·2^52: its low bits are then n.
    let magic = DoubleLane(repeating: 6_755_399_441_055_744)
    let shifted = x * 1.44269504088896338700e+00 + magic
    let n = shifted - magic
    // r = hi − lo = x − n·ln 2, ln 2's high part with 32 bits so that n times it is exact.
    let hi = x - n * 6.93147180369123816490e-01
    let lo = n * 1.90821492927058770002e-10
    let r = hi - lo
    let t = r * r
    var p = t * 4.13813679705723846039e-08 + -1.65339022054652515390e-06
    p = p * t + 6.61375632143793436117e-05
    p = p * t + -2.77777777770155933842e-03
    p = p * t + 1.66666666666666019037e-01
    let c = r - t * p
    let y = 1 - ((lo - (r * c) / (2 - c)) - hi)
    // 2^n as two factors 2^(n/2) and 2^(n − n/2), each a normal number for n in [-1075, 1024].
    let whole =
      unsafeBitCast(shifted, to: DoubleBits.self) &- unsafeBitCast(magic, to: DoubleBits.self)
    let half = whole &>> 1
    let first = unsafeBitCast((half &+ 1023) &<< 52, to: DoubleLane.self)
    let second = unsafeBitCast((whole &- half &+ 1023) &<< 52, to: DoubleLane.self)
    var result = y * first * second
    result.replace(with: .infinity, where: input .> overflow)
    result.replace(with: 0, where: input .< underflow)
    result.replace(with: input, where: input .!= input)
    return result
  }
}

/// The natural logarithm in f64, a register at a time: x = m·2^e with m in [½, 1) from the bits
/// (a subnormal scaled by 2^52 first), then Cephes' two forms, both computed and chosen per lane:
/// for |e| ≤ 2, log(1 + f) = f − f²/2 + f³·P(f)/Q(f) with f = m − 1 or 2m − 1; beyond,
/// z + z³·R(z²)/S(z²) with z = 2(m − 1)/(m + 1); e·ln 2 added in two parts. Within 1 ulp
/// (LogKernelTests); log(±0) = -inf, negatives and NaN NaN, log(+inf) = +inf. The same bits on
/// every path.
enum VectorLogDouble {
  static func apply(_ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, count: Int) {
    let width = DoubleLane.scalarCount
    var i = 0
    while i + width <= count {
      let v = UnsafeRawPointer(x + i).loadUnaligned(as: DoubleLane.self)
      UnsafeMutableRawPointer(out + i).storeBytes(of: lanes(v), as: DoubleLane.self)
      i += width
    }
    if i < count {
      var v = DoubleLane(repeating: 1)
      for lane in 0..<(count - i) { v[lane] = x[i + lane] }
      let y = lanes(v)
      for lane in 0..<(count - i) { out[i + lane] = y[lane] }
    }
  }

  @_transparent
  static func lanes(_ input: DoubleLane) -> DoubleLane {
    var v = input
    let subnormal = v .< DoubleLane(repeating: Double.leastNormalMagnitude)
    v.replace(with: v * 4_503_599_627_370_496, where: subnormal)
    let bits = unsafeBitCast(v, to: DoubleBits.self)
    var exponent = (bits &>> 52) &- 1022
    exponent.replace(with: exponent &- 52, where: subnormal)
    let m = unsafeBitCast(
      (bits & 0x000f_ffff_ffff_ffff) | 0x3fe0_0000_0000_0000, to: DoubleLane.self)
    let far = (exponent .> 2) .| (exponent .< -2)
    let low = m .< DoubleLane(repeating: 0.70710678118654752440)
    exponent.replace(with: exponent &- 1, where: low)
    // The exponent as a float: its bits added to those of 1.5·2^52, which is then taken away.
    let magic = DoubleLane(repeating: 6_755_399_441_055_744)
    let e =
      unsafeBitCast(exponent &+ unsafeBitCast(magic, to: DoubleBits.self), to: DoubleLane.self)
      - magic

    // Far from 1: z = 2(m − 1)/(m + 1), or 2(2m − 1)/(2m + 1) below √½.
    var numerator = m - 0.5
    var denominator = m * 0.5 + 0.5
    denominator.replace(with: numerator * 0.5 + 0.5, where: low)
    numerator.replace(with: numerator - 0.5, where: .!low)
    let z = numerator / denominator
    let zz = z * z
    var r = zz * -7.89580278884799154124E-1 + 1.63866645699558079767E1
    r = r * zz + -6.41409952958715622951E1
    var s = zz + -3.56722798256324312549E1
    s = s * zz + 3.12093766372244180303E2
    s = s * zz + -7.69691943550460008604E2
    var farResult = z * (zz * r / s)
    farResult = farResult - e * 2.121944400546905827679e-4
    farResult = farResult + z
    farResult = farResult + e * 0.693359375

    // Near 1: f = m − 1, or 2m − 1 below √½.
    var f = m - 1
    f.replace(with: (m + m) - 1, where: low)
    let ff = f * f
    var p = f * 1.01875663804580931796E-4 + 4.97494994976747001425E-1
    p = p * f + 4.70579119878881725854E0
    p = p * f + 1.44989225341610930846E1
    p = p * f + 1.79368678507819816313E1
    p = p * f + 7.70838733755885391666E0
    var q = f + 1.12873587189167450590E1
    q = q * f + 4.52279145837532221105E1
    q = q * f + 8.29875266912776603211E1
    q = q * f + 7.11544750618563894466E1
    q = q * f + 2.31251620126765340583E1
    var y = f * (ff * p / q)
    y = y - e * 2.121944400546905827679e-4
    y = y - ff * 0.5
    var result = f + y
    result = result + e * 0.693359375

    result.replace(with: farResult, where: far)
    result.replace(with: .infinity, where: input .== .infinity)
    result.replace(with: -.infinity, where: input .== 0)
    result.replace(with: .nan, where: (input .< 0) .| (input .!= input))
    return result
  }
}

extension Kernels {
  public static func tanh(
    _ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, count: Int
  ) {
    DoubleActivation.apply(x, out, count: count, DoubleActivation.tanh)
  }

  public static func sigmoid(
    _ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, count: Int
  ) {
    DoubleActivation.apply(x, out, count: count, DoubleActivation.sigmoid)
  }

  public static func softplus(
    _ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, count: Int
  ) {
    DoubleActivation.apply(x, out, count: count, DoubleActivation.softplus)
  }
}

/// tanh, sigmoid and softplus in f64 on the vector exp and log above, the same forms as the f32
/// ones (VectorActivations.swift) except tanh: below |x| = 0.625 Cephes' rational form
/// x + x·s·P(s)/Q(s) with s = x², above it 1 − 2/(e^(2|x|) + 1) with the sign put back. Within 2,
/// 2.5 and 3 ulp (DoubleActivationKernelTests); the same bits on every path.
enum DoubleActivation {
  /// The loop, written once for the three: each lane function is a plain static function, so the
  /// specialised loop inlines it (a closure literal would not be; see VectorTanh).
  @inline(__always)
  static func apply(
    _ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, count: Int,
    _ lanes: (DoubleLane) -> DoubleLane
  ) {
    let width = DoubleLane.scalarCount
    var i = 0
    while i + width <= count {
      let v = UnsafeRawPointer(x + i).loadUnaligned(as: DoubleLane.self)
      UnsafeMutableRawPointer(out + i).storeBytes(of: lanes(v), as: DoubleLane.self)
      i += width
    }
    if i < count {
      var v = DoubleLane(repeating: 0)
      for lane in 0..<(count - i) { v[lane] = x[i + lane] }
      let y = lanes(v)
      for lane in 0..<(count - i) { out[i + lane] = y[lane] }
    }
  }

  @inline(__always)
  static func tanh(_ x: DoubleLane) -> DoubleLane {
    var magnitude = x
    magnitude.replace(with: -x, where: x .< 0)
    let s = x * x
    var p = s * -9.64399179425052238628E-1 + -9.92877231001918586564E1
    p = p * s + -1.61468768441708447952E3
    var q = s + 1.12811678491632931402E2
    q = q * s + 2.23548839060100448583E3
    q = q * s + 4.84406305325125486048E3
    let small = x + x * (s * p / q)
    var large = 1 - 2 / (VectorExpDouble.lanes(magnitude + magnitude) + 1)
    large.replace(with: -large, where: x .< 0)
    var result = large
    result.replace(with: small, where: magnitude .< DoubleLane(repeating: 0.625))
    // ±0 is its own tanh: the rational form gives +0 for -0.
    result.replace(with: x, where: x .== 0)
    return result
  }

  @inline(__always)
  static func sigmoid(_ x: DoubleLane) -> DoubleLane {
    var negative = x
    negative.replace(with: -x, where: x .> 0)
    let e = VectorExpDouble.lanes(negative)
    var numerator = DoubleLane(repeating: 1)
    numerator.replace(with: e, where: x .< 0)
    return numerator / (1 + e)
  }

  @inline(__always)
  static func softplus(_ x: DoubleLane) -> DoubleLane {
    var negative = x
    negative.replace(with: -x, where: x .> 0)
    let e = VectorExpDouble.lanes(negative)
    let u = 1 + e
    var tail = VectorLogDouble.lanes(u) * (e / (u - 1))
    tail.replace(with: e, where: u .== 1)
    var positive = x
    positive.replace(with: 0, where: x .< 0)
    return positive + tail
  }
}
