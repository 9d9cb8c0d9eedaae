// Shared by the three ISA kernel modules (see PackedProduct.swift).
import FFCKernelCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension Kernels {
  public static func math(
    _ op: MathOp, _ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, count: Int
  ) {
    switch op {
    case .log1p: MathRegisters.loop(x, out, count, MathRegisters.log1p)
    case .expm1: MathRegisters.loop(x, out, count, MathRegisters.expm1)
    case .sin: MathRegisters.loop(x, out, count, MathRegisters.sine)
    case .cos: MathRegisters.loop(x, out, count, MathRegisters.cosine)
    }
  }

  public static func math(
    _ op: MathOp, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int
  ) {
    switch op {
    case .log1p: MathRegisters.loop(x, out, count, MathRegisters.singleLog1p)
    case .expm1: MathRegisters.loop(x, out, count, MathRegisters.singleExpm1)
    case .sin: MathRegisters.loop(x, out, count, MathRegisters.singleSine)
    case .cos: MathRegisters.loop(x, out, count, MathRegisters.singleCosine)
    }
  }

  public static func power(
    _ a: UnsafePointer<Float>, aCount: Int, _ b: UnsafePointer<Float>, bCount: Int,
    _ out: UnsafeMutablePointer<Float>, count: Int
  ) {
    MathRegisters.power(a, aCount, b, bCount, out, count)
  }
}

/// The loops of VectorMath's functions, a register's worth of elements at a time through one
/// function per op that loads, computes and stores by pointer. These functions are too large
/// for the compiler to inline into a loop, and a register passed to a function that is not
/// inlined is split into xmm arguments and spilled (on the AVX-512 path that made them slower
/// than libm's scalar functions: 0.47 s of CPU time against 0.28 for a program of them); by
/// pointer, each call costs a few instructions, and the function's own body (`@inline(never)`,
/// one call site of each lane function) inlines the lane functions whole. The tail goes
/// through the same function on a padded copy, so it gets the same bits.
enum MathRegisters {
  @inline(__always)
  static func loop<T: LaneScalar>(
    _ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, _ count: Int,
    _ register: (UnsafePointer<T>, UnsafeMutablePointer<T>) -> Void
  ) {
    let width = DoubleLane.scalarCount
    var i = 0
    while i + width <= count {
      register(x + i, out + i)
      i += width
    }
    if i < count {
      withUnsafeTemporaryAllocation(of: T.self, capacity: 2 * width) { buffer in
        guard let padded = buffer.baseAddress else { return }
        padded.initialize(repeating: 0, count: 2 * width)
        padded.update(from: x + i, count: count - i)
        register(padded, padded + width)
        (out + i).update(from: padded + width, count: count - i)
      }
    }
  }

  @inline(__always)
  static func run(
    _ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>,
    _ lanes: (DoubleLane) -> DoubleLane
  ) {
    let y = lanes(UnsafeRawPointer(x).loadUnaligned(as: DoubleLane.self))
    UnsafeMutableRawPointer(out).storeBytes(of: y, as: DoubleLane.self)
  }

  @inline(__always)
  static func run(
    _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
    _ lanes: (DoubleLane) -> DoubleLane
  ) {
    let v = UnsafeRawPointer(x).loadUnaligned(as: HalfFloatLane.self)
    let y = VectorMath.apply(v, lanes)
    UnsafeMutableRawPointer(out).storeBytes(of: y, as: HalfFloatLane.self)
  }

  @inline(never)
  static func log1p(_ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>) {
    run(x, out, VectorMath.log1p)
  }
  @inline(never)
  static func expm1(_ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>) {
    run(x, out, VectorMath.expm1)
  }
  @inline(never)
  static func sine(_ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>) {
    run(x, out, VectorMath.sine)
  }
  @inline(never)
  static func cosine(_ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>) {
    run(x, out, VectorMath.cosine)
  }
  @inline(never)
  static func singleLog1p(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>) {
    run(x, out, VectorMath.singleLog1p)
  }
  @inline(never)
  static func singleExpm1(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>) {
    run(x, out, VectorMath.expm1)
  }
  @inline(never)
  static func singleSine(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>) {
    run(x, out, VectorMath.singleSine)
  }
  @inline(never)
  static func singleCosine(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>) {
    run(x, out, VectorMath.singleCosine)
  }

  /// pow(a, b) for one register's worth of f32 elements.
  @inline(never)
  static func power(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>
  ) {
    let x = UnsafeRawPointer(a).loadUnaligned(as: HalfFloatLane.self)
    let y = UnsafeRawPointer(b).loadUnaligned(as: HalfFloatLane.self)
    let result = HalfFloatLane(VectorMath.power(DoubleLane(x), DoubleLane(y)))
    UnsafeMutableRawPointer(out).storeBytes(of: result, as: HalfFloatLane.self)
  }

  /// pow in f32, either operand possibly one value repeated (a register's worth of it made
  /// before the loop, so `out` may be its buffer).
  static func power(
    _ a: UnsafePointer<Float>, _ aCount: Int, _ b: UnsafePointer<Float>, _ bCount: Int,
    _ out: UnsafeMutablePointer<Float>, _ count: Int
  ) {
    guard count > 0 else { return }
    let width = DoubleLane.scalarCount
    let (aOne, bOne) = (aCount == 1, bCount == 1)
    withUnsafeTemporaryAllocation(of: Float.self, capacity: 5 * width) { buffer in
      guard let scratch = buffer.baseAddress else { return }
      scratch.initialize(repeating: 1, count: 5 * width)
      let (xs, ys) = (scratch, scratch + width)
      if aOne { xs.update(repeating: a[0], count: width) }
      if bOne { ys.update(repeating: b[0], count: width) }
      var i = 0
      while i + width <= count {
        power(aOne ? UnsafePointer(xs) : a + i, bOne ? UnsafePointer(ys) : b + i, out + i)
        i += width
      }
      if i < count {
        let (pa, pb, po) = (scratch + 2 * width, scratch + 3 * width, scratch + 4 * width)
        pa.update(from: aOne ? UnsafePointer(xs) : a + i, count: aOne ? width : count - i)
        pb.update(from: bOne ? UnsafePointer(ys) : b + i, count: bOne ? width : count - i)
        power(pa, pb, po)
        (out + i).update(from: po, count: count - i)
      }
    }
  }
}

/// log1p, expm1, sin, cos and (in f32) pow, a register at a time. The runtime does not run them
/// (it calls libm's scalar functions): on the Zen 4 test machine they lost to glibc's in f32, and
/// in f64 on the AVX-512 path for some arguments (README, "Vector log1p, expm1, sin, cos and
/// pow"). The f64 forms are fdlibm's, written on vectors (every branch computed and chosen per
/// lane): log1p as log(u) + (x − (u − 1))/u with u = 1 + x on the vector log (the second term is
/// the rounding error of 1 + x, which a tiny x would otherwise lose); expm1 as fdlibm's
/// s_expm1.c (x = k·ln 2 + r, a rational form of e^r − 1 with the reduction's error carried, then
/// put together per k so that nothing cancels); sin and cos as fdlibm's k_sin.c and k_cos.c after
/// e_rem_pio2.c's medium reduction (x − n·π/2 in two doubles, with π/2 in three 33-bit parts, one
/// to three rounds chosen per lane as fdlibm chooses them). Lanes with |x| ≥ 2^20·π/2 (and ±inf)
/// take libm's sin or cos one by one: fdlibm reduces those by Payne–Hanek, as libm does. Within
/// 1 ulp of the exact value (log1p 1.5: its log(u) is the vector log's; MathKernelTests measures
/// 0.75 for expm1, sin and cos and 1.15 for log1p against an 80-bit reference). The f32 forms
/// widen each element to f64, apply an f64 form accurate enough for f32 and round once (sin and
/// cos on a one-round reduction and shorter polynomials, log1p on the one-division log), so
/// they are within 1 ulp (0.50004 at most on the inputs the tests sweep); pow(x, y) in f32 is
/// e^(y·log|x|) on the one-division log and the f64 vector exp, whose error (about
/// |y·log x|·2^-52 relative, at most 2^-45 where the f32 result is finite and nonzero) is far
/// below an f32 ulp, with C99's special values (pow(x, ±0) = 1, pow(1, y) = 1, pow(-1, ±inf) = 1,
/// a negative base's sign by an odd integer exponent, NaN for a negative finite base and a
/// non-integer exponent). IEEE operations without contraction, so every path gives the same bits
/// (libm's, where a lane falls back to it, are the same on every path of one machine). There is
/// no f64 pow: e^(y·log x) needs log x to about 2^-64 when |y·log x| is hundreds, which takes
/// fdlibm's e_pow.c with its extra-precise log.
enum VectorMath {
  /// log(1 + x): u = 1 + x, then log(u) plus the rounding error of 1 + x over u; below 2^-20,
  /// x − x²/2 + x³/3 (the next term is under 2^-60 of x).
  @_transparent
  static func log1p(_ x: DoubleLane) -> DoubleLane {
    let u = 1 + x
    var result = VectorLogDouble.lanes(u) + (x - (u - 1)) / u
    let small = (x .< DoubleLane(repeating: 0x1p-20)) .& (x .> DoubleLane(repeating: -0x1p-20))
    result.replace(with: x + (x * x) * (x * (1.0 / 3) - 0.5), where: small)
    result.replace(with: x, where: x .== 0)
    result.replace(with: -.infinity, where: x .== -1)
    result.replace(with: .infinity, where: x .== .infinity)
    // One NaN for every path (two NaNs met in an addition above: which one an instruction
    // keeps depends on its operand order), the input's where it is NaN.
    result.replace(with: .nan, where: x .< -1)
    result.replace(with: x, where: x .!= x)
    return result
  }

  /// log1p of f32 values held in f64 lanes: as `log1p`, on the one-division log (`logForPower`),
  /// whose error near 1 (an f64 ulp or two) is far below half an f32 ulp.
  @_transparent
  static func singleLog1p(_ x: DoubleLane) -> DoubleLane {
    let u = 1 + x
    var result = logForPower(u) + (x - (u - 1)) / u
    let small = (x .< DoubleLane(repeating: 0x1p-20)) .& (x .> DoubleLane(repeating: -0x1p-20))
    result.replace(with: x + (x * x) * (x * (1.0 / 3) - 0.5), where: small)
    result.replace(with: x, where: x .== 0)
    result.replace(with: -.infinity, where: x .== -1)
    result.replace(with: .infinity, where: x .== .infinity)
    result.replace(with: .nan, where: x .< -1)
    result.replace(with: x, where: x .!= x)
    return result
  }

  /// e^x − 1 as fdlibm's s_expm1.c.
  @_transparent
  static func expm1(_ input: DoubleLane) -> DoubleLane {
    let overflow = DoubleLane(repeating: 709.782712893383973096)
    // Below -45, e^x − 1 rounds to -1; the clamp keeps k small.
    let low = DoubleLane(repeating: -45)
    var x = input
    x.replace(with: overflow, where: x .> overflow)
    x.replace(with: low, where: x .< low)
    let magic = DoubleLane(repeating: 6_755_399_441_055_744)
    let shifted = x * 1.44269504088896338700e+00 + magic
    let k = shifted - magic
    let hi = x - k * 6.93147180369123816490e-01
    let lo = k * 1.90821492927058770002e-10
    let r = hi - lo
    let c = (hi - r) - lo
    // e^r − 1 = r − e, with e from the rational form and the reduction's error c.
    let hfx = 0.5 * r
    let hxs = r * hfx
    var r1 = hxs * -2.01099218183624371326e-07 + 4.00821782732936239552e-06
    r1 = hxs * r1 + -7.93650757867487942473e-05
    r1 = hxs * r1 + 1.58730158725481460165e-03
    r1 = hxs * r1 + -3.33333333333331316428e-02
    r1 = hxs * r1 + 1
    let t = 3 - r1 * hfx
    var e = hxs * ((r1 - t) / (6 - r * t))
    let atZero = r - (r * e - hxs)
    e = (r * (e - c) - c) - hxs
    let atMinusOne = 0.5 * (r - e) - 0.5
    var atOne = 1 + 2 * (r - e)
    atOne.replace(with: -2 * (e - (r + 0.5)), where: r .< -0.25)
    // 2^k (k in [-65, 1024]) as two normal factors, and 2^-k for k in [2, 56].
    let whole =
      unsafeBitCast(shifted, to: DoubleBits.self) &- unsafeBitCast(magic, to: DoubleBits.self)
    let half = whole &>> 1
    let first = unsafeBitCast((half &+ 1023) &<< 52, to: DoubleLane.self)
    let second = unsafeBitCast((whole &- half &+ 1023) &<< 52, to: DoubleLane.self)
    let inverse = unsafeBitCast((1023 &- whole) &<< 52, to: DoubleLane.self)
    // k ≤ -2 or k > 56: (1 − (e − r))·2^k − 1.
    var result = (1 - (e - r)) * first * second - 1
    // 2 ≤ k < 20: ((1 − 2^-k) − (e − r))·2^k; 20 ≤ k ≤ 56: ((r − (e + 2^-k)) + 1)·2^k.
    let middle = (k .>= 2) .& (k .<= 56)
    var scaled = (1 - inverse) - (e - r)
    scaled.replace(with: (r - (e + inverse)) + 1, where: k .>= 20)
    result.replace(with: scaled * first * second, where: middle)
    result.replace(with: atOne, where: k .== 1)
    result.replace(with: atMinusOne, where: k .== -1)
    result.replace(with: atZero, where: k .== 0)
    result.replace(with: .infinity, where: input .> overflow)
    result.replace(with: input, where: (input .== 0) .| (input .!= input))
    return result
  }

  @_transparent static func sine(_ x: DoubleLane) -> DoubleLane { sineOrCosine(x, false) }
  @_transparent static func cosine(_ x: DoubleLane) -> DoubleLane { sineOrCosine(x, true) }

  /// sin or cos of a register, lanes at or beyond 2^20·π/2 (and ±inf) by libm.
  @_transparent
  static func sineOrCosine(_ input: DoubleLane, _ cosine: Bool) -> DoubleLane {
    var x = input
    var magnitude = x
    magnitude.replace(with: -x, where: x .< 0)
    let far = magnitude .>= DoubleLane(repeating: 1_647_099.0)
    x.replace(with: 0, where: far)
    // n = round(x·2/π), then x − n·π/2 = y0 + y1 in one to three rounds (e_rem_pio2.c).
    let magic = DoubleLane(repeating: 6_755_399_441_055_744)
    let shifted = x * 6.36619772367581382433e-01 + magic
    let n = shifted - magic
    let exponent = (unsafeBitCast(magnitude, to: DoubleBits.self) &>> 52) & 0x7ff
    @inline(__always) func lost(_ y: DoubleLane) -> DoubleBits {
      exponent &- ((unsafeBitCast(y, to: DoubleBits.self) &>> 52) & 0x7ff)
    }
    var r = x - n * 1.57079632673412561417e+00
    var w = n * 6.07710050650619224932e-11
    let first = lost(r - w) .> 16
    var t = r
    let w2 = n * 6.07710050630396597660e-11
    let r2 = t - w2
    let second = n * 2.02226624879595063154e-21 - ((t - r2) - w2)
    let third = first .& (lost(r2 - second) .> 49)
    r.replace(with: r2, where: first)
    w.replace(with: second, where: first)
    t = r
    let w3 = n * 2.02226624871116645580e-21
    let r3 = t - w3
    w.replace(with: n * 8.47842766036889956997e-32 - ((t - r3) - w3), where: third)
    r.replace(with: r3, where: third)
    let y0 = r - w
    let y1 = (r - y0) - w
    // fdlibm's kernels: sin(y0 + y1) and cos(y0 + y1) for |y0| ≤ π/4.
    let z = y0 * y0
    let v = z * y0
    var s = z * 1.58969099521155010221e-10 + -2.50507602534068634195e-08
    s = z * s + 2.75573137070700676789e-06
    s = z * s + -1.98412698298579493134e-04
    s = z * s + 8.33333333332248946124e-03
    let sinY = y0 - ((z * (0.5 * y1 - v * s) - y1) - v * -1.66666666666666324348e-01)
    let zz = z * z
    var c1 = z * 2.48015872894767294178e-05 + -1.38888888888741095749e-03
    c1 = z * c1 + 4.16666666666666019037e-02
    var c2 = z * -1.13596475577881948265e-11 + 2.08757232129817482790e-09
    c2 = z * c2 + -2.75573143513906633035e-07
    let cr = z * c1 + zz * zz * c2
    let hz = 0.5 * z
    let one = 1 - hz
    let cosY = one + (((1 - one) - hz) + (z * cr - y0 * y1))
    // The quadrant: sin is sin, cos, -sin, -cos of y for n mod 4 = 0, 1, 2, 3; cos is cos,
    // -sin, -cos, sin.
    let quadrant =
      (unsafeBitCast(shifted, to: DoubleBits.self) &- unsafeBitCast(magic, to: DoubleBits.self))
      &+ (cosine ? 1 : 0)
    var result = sinY
    result.replace(with: cosY, where: (quadrant & 1) .== 1)
    result.replace(with: negated(result), where: (quadrant & 2) .== 2)
    if !cosine { result.replace(with: input, where: input .== 0) }
    result.replace(with: input, where: input .!= input)
    if any(far) {
      for lane in 0..<DoubleLane.scalarCount where far[lane] {
        result[lane] = cosine ? cos(input[lane]) : sin(input[lane])
      }
    }
    return result
  }

  @_transparent static func singleSine(_ x: DoubleLane) -> DoubleLane {
    singleSineOrCosine(x, false)
  }
  @_transparent static func singleCosine(_ x: DoubleLane) -> DoubleLane {
    singleSineOrCosine(x, true)
  }

  /// sin or cos of f32 values held in f64 lanes, to the f64 accuracy an f32 result needs (about
  /// 2^-32 relative, far below half an f32 ulp), so cheaper than the f64 form: x − n·π/2 in one
  /// round with π/2 in two parts (n·p1 and x − n·p1 are exact for |x| < 2^20·π/2, and an f32
  /// x comes no nearer a multiple of π/2 than the remaining error allows), fdlibm's sin and cos
  /// polynomials without their last term; lanes at or beyond 2^20·π/2 (and ±inf) by libm.
  @_transparent
  static func singleSineOrCosine(_ input: DoubleLane, _ cosine: Bool) -> DoubleLane {
    var x = input
    var magnitude = x
    magnitude.replace(with: -x, where: x .< 0)
    let far = magnitude .>= DoubleLane(repeating: 1_647_099.0)
    x.replace(with: 0, where: far)
    let magic = DoubleLane(repeating: 6_755_399_441_055_744)
    let shifted = x * 6.36619772367581382433e-01 + magic
    let n = shifted - magic
    let r = (x - n * 1.57079632673412561417e+00) - n * 6.07710050650619224932e-11
    let z = r * r
    var s = z * -2.50507602534068634195e-08 + 2.75573137070700676789e-06
    s = z * s + -1.98412698298579493134e-04
    s = z * s + 8.33333333332248946124e-03
    s = z * s + -1.66666666666666324348e-01
    let sinR = r + (r * z) * s
    var c = z * 2.08757232129817482790e-09 + -2.75573143513906633035e-07
    c = z * c + 2.48015872894767294178e-05
    c = z * c + -1.38888888888741095749e-03
    c = z * c + 4.16666666666666019037e-02
    let cosR = 1 - (0.5 * z - (z * z) * c)
    let quadrant =
      (unsafeBitCast(shifted, to: DoubleBits.self) &- unsafeBitCast(magic, to: DoubleBits.self))
      &+ (cosine ? 1 : 0)
    var result = sinR
    result.replace(with: cosR, where: (quadrant & 1) .== 1)
    result.replace(with: negated(result), where: (quadrant & 2) .== 2)
    if !cosine { result.replace(with: input, where: input .== 0) }
    result.replace(with: input, where: input .!= input)
    if any(far) {
      for lane in 0..<DoubleLane.scalarCount where far[lane] {
        result[lane] = cosine ? cos(input[lane]) : sin(input[lane])
      }
    }
    return result
  }

  /// log x for pow and f32 log1p: Cephes' form z + z³·R(z²)/S(z²) with z = 2(m − 1)/(m + 1) for every x (the
  /// f64 log also takes a second form near 1, for a small relative error there; pow needs only
  /// y·log x to a small absolute error, which this form has everywhere), one division instead
  /// of two. x is positive, +0 or +inf, or NaN (a negative x gives a meaningless number).
  @_transparent
  static func logForPower(_ input: DoubleLane) -> DoubleLane {
    var v = input
    let subnormal = v .< DoubleLane(repeating: Double.leastNormalMagnitude)
    v.replace(with: v * 4_503_599_627_370_496, where: subnormal)
    let bits = unsafeBitCast(v, to: DoubleBits.self)
    var exponent = (bits &>> 52) &- 1022
    exponent.replace(with: exponent &- 52, where: subnormal)
    let m = unsafeBitCast(
      (bits & 0x000f_ffff_ffff_ffff) | 0x3fe0_0000_0000_0000, to: DoubleLane.self)
    let low = m .< DoubleLane(repeating: 0.70710678118654752440)
    exponent.replace(with: exponent &- 1, where: low)
    let magic = DoubleLane(repeating: 6_755_399_441_055_744)
    let e =
      unsafeBitCast(exponent &+ unsafeBitCast(magic, to: DoubleBits.self), to: DoubleLane.self)
      - magic
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
    var result = z * (zz * r / s)
    result = result - e * 2.121944400546905827679e-4
    result = result + z
    result = result + e * 0.693359375
    result.replace(with: .infinity, where: input .== .infinity)
    result.replace(with: -.infinity, where: input .== 0)
    result.replace(with: .nan, where: input .!= input)
    return result
  }

  /// pow(x, y) for x and y f32 values held in f64 lanes: e^(y·log|x|) with C99's special values,
  /// rounded to f32 by the caller.
  @_transparent
  static func power(_ x: DoubleLane, _ y: DoubleLane) -> DoubleLane {
    var magnitude = x
    magnitude.replace(with: -x, where: x .< 0)
    var result = VectorExpDouble.lanes(y * logForPower(magnitude))
    var absY = y
    absY.replace(with: -y, where: y .< 0)
    // y's integer part from 1.5·2^52 added (exact below 2^51; larger f32 values are even
    // integers), its parity in the low bit.
    let magic = DoubleLane(repeating: 6_755_399_441_055_744)
    let small = absY .< DoubleLane(repeating: 2_251_799_813_685_248)
    let shifted = y + magic
    let integer = (small .& ((shifted - magic) .== y)) .| (.!small .& (absY .< .infinity))
    let odd = small .& integer .& ((unsafeBitCast(shifted, to: DoubleBits.self) & 1) .== 1)
    let negative = (unsafeBitCast(x, to: DoubleBits.self) .< 0)
    result.replace(with: negated(result), where: negative .& odd)
    let finiteNegative = (x .< 0) .& (x .> -.infinity)
    result.replace(with: .nan, where: finiteNegative .& .!integer .& (absY .< .infinity))
    // One NaN whichever operands were NaN (see log1p).
    result.replace(with: .nan, where: result .!= result)
    result.replace(with: 1, where: (x .== -1) .& (absY .== .infinity))
    result.replace(with: 1, where: (y .== 0) .| (x .== 1))
    return result
  }

  /// -x with the sign bit flipped (the vector `-x` is 0 − x, which gives +0 for +0).
  @_transparent
  static func negated(_ x: DoubleLane) -> DoubleLane {
    unsafeBitCast(
      unsafeBitCast(x, to: DoubleBits.self) ^ DoubleBits(repeating: .min), to: DoubleLane.self)
  }

  /// An f64 lane function on f32 lanes, a NaN input given back as it is (widening and narrowing
  /// would quiet a signalling NaN on some paths, and the compiler may drop the round trip on
  /// others).
  @inline(__always)
  static func apply(_ x: HalfFloatLane, _ lanes: (DoubleLane) -> DoubleLane) -> HalfFloatLane {
    var y = HalfFloatLane(lanes(DoubleLane(x)))
    y.replace(with: x, where: x .!= x)
    return y
  }

}

/// As many f32 lanes as an f64 register has.
#if FFC_AVX512
  typealias HalfFloatLane = SIMD8<Float>
#elseif FFC_AVX2
  typealias HalfFloatLane = SIMD4<Float>
#else
  typealias HalfFloatLane = SIMD2<Float>
#endif
