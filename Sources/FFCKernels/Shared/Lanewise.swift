// Shared by the three ISA kernel modules (see PackedProduct.swift).
import FFCKernelCore

extension Kernels {
  public static func lanewise(
    _ op: LanewiseOp, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int
  ) {
    switch op {
    case .relu: Lanewise.map(x, out, count, FloatChoices.relu)
    case .step: Lanewise.map(x, out, count, FloatChoices.step)
    case .sign: Lanewise.map(x, out, count, FloatChoices.sign)
    case .hardTanh: Lanewise.map(x, out, count, FloatChoices.hardTanh)
    case .abs: Lanewise.map(x, out, count, FloatChoices.abs)
    case .negate: Lanewise.map(x, out, count, FloatChoices.negate)
    case .squareRoot: Lanewise.map(x, out, count, FloatChoices.squareRoot)
    case .square: Lanewise.map(x, out, count, FloatChoices.square)
    }
  }

  public static func lanewise(
    _ op: LanewiseOp, _ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, count: Int
  ) {
    switch op {
    case .relu: Lanewise.map(x, out, count, DoubleChoices.relu)
    case .step: Lanewise.map(x, out, count, DoubleChoices.step)
    case .sign: Lanewise.map(x, out, count, DoubleChoices.sign)
    case .hardTanh: Lanewise.map(x, out, count, DoubleChoices.hardTanh)
    case .abs: Lanewise.map(x, out, count, DoubleChoices.abs)
    case .negate: Lanewise.map(x, out, count, DoubleChoices.negate)
    case .squareRoot: Lanewise.map(x, out, count, DoubleChoices.squareRoot)
    case .square: Lanewise.map(x, out, count, DoubleChoices.square)
    }
  }

  public static func lanewise(
    _ op: ParametricLanewiseOp, _ x: UnsafePointer<Float>, parameter: Float,
    _ out: UnsafeMutablePointer<Float>, count: Int
  ) {
    switch op {
    case .leakyRelu: Lanewise.map(x, parameter, out, count, FloatChoices.leakyRelu)
    case .leakyStep: Lanewise.map(x, parameter, out, count, FloatChoices.leakyStep)
    }
  }

  public static func lanewise(
    _ op: ParametricLanewiseOp, _ x: UnsafePointer<Double>, parameter: Double,
    _ out: UnsafeMutablePointer<Double>, count: Int
  ) {
    switch op {
    case .leakyRelu: Lanewise.map(x, parameter, out, count, DoubleChoices.leakyRelu)
    case .leakyStep: Lanewise.map(x, parameter, out, count, DoubleChoices.leakyStep)
    }
  }

  public static func lanewise(
    _ op: BinaryLanewiseOp, _ a: UnsafePointer<Float>, aCount: Int, _ b: UnsafePointer<Float>,
    bCount: Int, _ out: UnsafeMutablePointer<Float>, count: Int
  ) {
    switch op {
    case .equal: Lanewise.zip(a, aCount, b, bCount, out, count, FloatChoices.equal)
    case .prelu: Lanewise.zip(a, aCount, b, bCount, out, count, FloatChoices.prelu)
    }
  }

  public static func lanewise(
    _ op: BinaryLanewiseOp, _ a: UnsafePointer<Double>, aCount: Int, _ b: UnsafePointer<Double>,
    bCount: Int, _ out: UnsafeMutablePointer<Double>, count: Int
  ) {
    switch op {
    case .equal: Lanewise.zip(a, aCount, b, bCount, out, count, DoubleChoices.equal)
    case .prelu: Lanewise.zip(a, aCount, b, bCount, out, count, DoubleChoices.prelu)
    }
  }

  public static func select(
    _ c: UnsafePointer<Float>, cCount: Int, _ a: UnsafePointer<Float>, aCount: Int,
    _ b: UnsafePointer<Float>, bCount: Int, _ out: UnsafeMutablePointer<Float>, count: Int
  ) {
    Lanewise.select(c, cCount, a, aCount, b, bCount, out, count, FloatChoices.select)
  }

  public static func select(
    _ c: UnsafePointer<Double>, cCount: Int, _ a: UnsafePointer<Double>, aCount: Int,
    _ b: UnsafePointer<Double>, bCount: Int, _ out: UnsafeMutablePointer<Double>, count: Int
  ) {
    Lanewise.select(c, cCount, a, aCount, b, bCount, out, count, DoubleChoices.select)
  }
}

extension Kernels {
  public static func sigmoidCrossEntropy(
    _ z: UnsafePointer<Float>, _ t: UnsafePointer<Float>, count: Int
  ) -> Float {
    SigmoidCrossEntropy.mean(z, t, count, FloatChoices.sigmoidCrossEntropy)
  }

  public static func sigmoidCrossEntropy(
    _ z: UnsafePointer<Double>, _ t: UnsafePointer<Double>, count: Int
  ) -> Double {
    SigmoidCrossEntropy.mean(z, t, count, DoubleChoices.sigmoidCrossEntropy)
  }
}

/// The mean over all elements of max(z, 0) − z·t + log(1 + e^-|z|), each element's term a
/// register at a time on the path's exp and log (as softplus, within a few ulp), the terms then
/// added one by one in index order: the same bits on every path.
enum SigmoidCrossEntropy {
  @inline(__always)
  static func mean<T: LaneScalar>(
    _ z: UnsafePointer<T>, _ t: UnsafePointer<T>, _ count: Int,
    _ lanes: (T.Lane, T.Lane) -> T.Lane
  ) -> T {
    let width = T.Lane.scalarCount
    var total: T = 0
    var i = 0
    while i + width <= count {
      let terms = lanes(
        UnsafeRawPointer(z + i).loadUnaligned(as: T.Lane.self),
        UnsafeRawPointer(t + i).loadUnaligned(as: T.Lane.self))
      for lane in 0..<width { total += terms[lane] }
      i += width
    }
    if i < count {
      var (zv, tv) = (T.Lane(), T.Lane())
      for lane in 0..<(count - i) { (zv[lane], tv[lane]) = (z[i + lane], t[i + lane]) }
      let terms = lanes(zv, tv)
      for lane in 0..<(count - i) { total += terms[lane] }
    }
    return total / T(Swift.max(1, count))
  }
}

/// The loops of the lane-wise ops (relu, step, sign, hard_tanh, abs, neg, sqrt, square,
/// leaky_relu, leaky_step, equal, prelu, where), one vector register of this module's width at a
/// time, the tail through one partly filled register. Each element is compared and chosen
/// (leaky_relu and prelu also multiply once), or is one IEEE operation (sqrt, square), so every
/// path gives the scalar reference's bits, NaN and -0 included.
/// `out` may be an input (each register is read before it is written).
///
/// The lane functions (`FloatChoices`, `DoubleChoices`) are written on the concrete vector types,
/// not generically over `LaneScalar`: in generic code `.>` and `replace(with:where:)` resolve to
/// the standard library's per-lane loops, which specialisation does not turn back into vector
/// compares. Those compiled to a store of the register, then per lane a load, a compare and a
/// branch (16 a register on AVX-512), several times slower than the baseline loop; that was why
/// the first version of these loops slowed W1. Each lane function is a plain static function,
/// so the specialised loop inlines it (as DoubleActivation's).
enum Lanewise {
  @inline(__always)
  static func map<T: LaneScalar>(
    _ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, _ count: Int,
    _ lanes: (T.Lane) -> T.Lane
  ) {
    let width = T.Lane.scalarCount
    var i = 0
    while i + width <= count {
      let v = UnsafeRawPointer(x + i).loadUnaligned(as: T.Lane.self)
      UnsafeMutableRawPointer(out + i).storeBytes(of: lanes(v), as: T.Lane.self)
      i += width
    }
    if i < count {
      var v = T.Lane()
      for lane in 0..<(count - i) { v[lane] = x[i + lane] }
      let y = lanes(v)
      for lane in 0..<(count - i) { out[i + lane] = y[lane] }
    }
  }

  @inline(__always)
  static func map<T: LaneScalar>(
    _ x: UnsafePointer<T>, _ parameter: T, _ out: UnsafeMutablePointer<T>, _ count: Int,
    _ lanes: (T.Lane, T.Lane) -> T.Lane
  ) {
    let width = T.Lane.scalarCount
    let p = T.Lane(repeating: parameter)
    var i = 0
    while i + width <= count {
      let v = UnsafeRawPointer(x + i).loadUnaligned(as: T.Lane.self)
      UnsafeMutableRawPointer(out + i).storeBytes(of: lanes(v, p), as: T.Lane.self)
      i += width
    }
    if i < count {
      var v = T.Lane()
      for lane in 0..<(count - i) { v[lane] = x[i + lane] }
      let y = lanes(v, p)
      for lane in 0..<(count - i) { out[i + lane] = y[lane] }
    }
  }

  /// `out[i] = f(a[i], b[i])`, either operand possibly one value repeated (its count 1, read
  /// before the loop, so `out` may be its buffer); the tail through one partly filled register.
  @inline(__always)
  static func zip<T: LaneScalar>(
    _ a: UnsafePointer<T>, _ aCount: Int, _ b: UnsafePointer<T>, _ bCount: Int,
    _ out: UnsafeMutablePointer<T>, _ count: Int, _ lanes: (T.Lane, T.Lane) -> T.Lane
  ) {
    guard count > 0 else { return }
    let width = T.Lane.scalarCount
    let (aOne, bOne) = (aCount == 1, bCount == 1)
    let (xs, ys) = (T.Lane(repeating: a[0]), T.Lane(repeating: b[0]))
    var i = 0
    if !aOne && !bOne {
      while i + width <= count {
        let y = lanes(
          UnsafeRawPointer(a + i).loadUnaligned(as: T.Lane.self),
          UnsafeRawPointer(b + i).loadUnaligned(as: T.Lane.self))
        UnsafeMutableRawPointer(out + i).storeBytes(of: y, as: T.Lane.self)
        i += width
      }
    } else if bOne {
      while i + width <= count {
        let y = lanes(UnsafeRawPointer(a + i).loadUnaligned(as: T.Lane.self), ys)
        UnsafeMutableRawPointer(out + i).storeBytes(of: y, as: T.Lane.self)
        i += width
      }
    } else {
      while i + width <= count {
        let y = lanes(xs, UnsafeRawPointer(b + i).loadUnaligned(as: T.Lane.self))
        UnsafeMutableRawPointer(out + i).storeBytes(of: y, as: T.Lane.self)
        i += width
      }
    }
    if i < count {
      var (av, bv) = (xs, ys)
      for lane in 0..<(count - i) {
        if !aOne { av[lane] = a[i + lane] }
        if !bOne { bv[lane] = b[i + lane] }
      }
      let y = lanes(av, bv)
      for lane in 0..<(count - i) { out[i + lane] = y[lane] }
    }
  }

  /// `out[i] = c[i] > 0 ? a[i] : b[i]`, any operand possibly one value repeated (its count 1).
  @inline(__always)
  static func select<T: LaneScalar>(
    _ c: UnsafePointer<T>, _ cCount: Int, _ a: UnsafePointer<T>, _ aCount: Int,
    _ b: UnsafePointer<T>, _ bCount: Int, _ out: UnsafeMutablePointer<T>, _ count: Int,
    _ lanes: (T.Lane, T.Lane, T.Lane) -> T.Lane
  ) {
    guard count > 0 else { return }
    let width = T.Lane.scalarCount
    let (cOne, aOne, bOne) = (cCount == 1, aCount == 1, bCount == 1)
    let (cs, xs, ys) = (T.Lane(repeating: c[0]), T.Lane(repeating: a[0]), T.Lane(repeating: b[0]))
    @inline(__always) func vector(_ p: UnsafePointer<T>, _ one: Bool, _ s: T.Lane, _ i: Int)
      -> T.Lane
    {
      one ? s : UnsafeRawPointer(p + i).loadUnaligned(as: T.Lane.self)
    }
    var i = 0
    while i + width <= count {
      let y = lanes(vector(c, cOne, cs, i), vector(a, aOne, xs, i), vector(b, bOne, ys, i))
      UnsafeMutableRawPointer(out + i).storeBytes(of: y, as: T.Lane.self)
      i += width
    }
    if i < count {
      var (cv, av, bv) = (cs, xs, ys)
      for lane in 0..<(count - i) {
        if !cOne { cv[lane] = c[i + lane] }
        if !aOne { av[lane] = a[i + lane] }
        if !bOne { bv[lane] = b[i + lane] }
      }
      let y = lanes(cv, av, bv)
      for lane in 0..<(count - i) { out[i + lane] = y[lane] }
    }
  }
}

/// The lane functions in f32 (see `Lanewise`); each is the scalar reference's choice per lane.
enum FloatChoices {
  typealias Lane = Float.Lane

  /// x > 0 ? x : 0
  @inline(__always) static func relu(_ x: Lane) -> Lane {
    var y = Lane(repeating: 0)
    y.replace(with: x, where: x .> 0)
    return y
  }

  /// x > 0 ? 1 : 0
  @inline(__always) static func step(_ x: Lane) -> Lane {
    var y = Lane(repeating: 0)
    y.replace(with: 1, where: x .> 0)
    return y
  }

  /// x > 0 ? 1 : (x < 0 ? -1 : 0)
  @inline(__always) static func sign(_ x: Lane) -> Lane {
    var y = Lane(repeating: 0)
    y.replace(with: 1, where: x .> 0)
    y.replace(with: -1, where: x .< 0)
    return y
  }

  /// Swift.min(1, Swift.max(-1, x)): max(a, b) is b >= a ? b : a and min(a, b) is b < a ? b : a,
  /// so NaN gives -1 and -0 stays -0.
  @inline(__always) static func hardTanh(_ x: Lane) -> Lane {
    var low = Lane(repeating: -1)
    low.replace(with: x, where: x .>= -1)
    var y = Lane(repeating: 1)
    y.replace(with: low, where: low .< 1)
    return y
  }

  /// |x|: the sign bit cleared (NaN too, as `magnitude`).
  @inline(__always) static func abs(_ x: Lane) -> Lane {
    let bits = unsafeBitCast(x, to: Lane.MaskStorage.self) & Lane.MaskStorage(repeating: .max)
    return unsafeBitCast(bits, to: Lane.self)
  }

  /// -x: the sign bit flipped (the standard library's vector `-x` is 0 - x, which gives +0 for
  /// +0, not -0).
  @inline(__always) static func negate(_ x: Lane) -> Lane {
    let bits = unsafeBitCast(x, to: Lane.MaskStorage.self) ^ Lane.MaskStorage(repeating: .min)
    return unsafeBitCast(bits, to: Lane.self)
  }

  /// x > 0 ? x : x · α
  @inline(__always) static func leakyRelu(_ x: Lane, _ alpha: Lane) -> Lane {
    var y = x * alpha
    y.replace(with: x, where: x .> 0)
    return y
  }

  /// x > 0 ? 1 : α
  @inline(__always) static func leakyStep(_ x: Lane, _ alpha: Lane) -> Lane {
    var y = alpha
    y.replace(with: 1, where: x .> 0)
    return y
  }

  /// √x: the vector square root, correctly rounded as the scalar one.
  @inline(__always) static func squareRoot(_ x: Lane) -> Lane { x.squareRoot() }

  /// x · x
  @inline(__always) static func square(_ x: Lane) -> Lane { x * x }

  /// a == b ? 1 : 0
  @inline(__always) static func equal(_ a: Lane, _ b: Lane) -> Lane {
    var y = Lane(repeating: 0)
    y.replace(with: 1, where: a .== b)
    return y
  }

  /// x > 0 ? x : a · x
  @inline(__always) static func prelu(_ x: Lane, _ a: Lane) -> Lane {
    var y = a * x
    y.replace(with: x, where: x .> 0)
    return y
  }

  /// c > 0 ? a : b
  @inline(__always) static func select(_ c: Lane, _ a: Lane, _ b: Lane) -> Lane {
    var y = b
    y.replace(with: a, where: c .> 0)
    return y
  }
}

extension FloatChoices {
  /// max(z, 0) − z·t + log(1 + e^-|z|), max as Swift's (NaN kept, -0 to 0), the logarithm as
  /// softplus takes it (VectorActivations.swift): e = e^-|z|, u = 1 + e, log(u)·e/(u − 1), or e
  /// where u rounds to 1.
  @inline(__always) static func sigmoidCrossEntropy(_ z: Lane, _ t: Lane) -> Lane {
    var negative = z
    negative.replace(with: -z, where: z .> 0)
    let e = VectorExp.lanes(negative)
    let u = 1 + e
    var tail = VectorLog.lanes(u) * (e / (u - 1))
    tail.replace(with: e, where: u .== 1)
    var positive = z
    positive.replace(with: 0, where: z .<= 0)
    return (positive - z * t) + tail
  }
}

extension DoubleChoices {
  @inline(__always) static func sigmoidCrossEntropy(_ z: Lane, _ t: Lane) -> Lane {
    var negative = z
    negative.replace(with: -z, where: z .> 0)
    let e = VectorExpDouble.lanes(negative)
    let u = 1 + e
    var tail = VectorLogDouble.lanes(u) * (e / (u - 1))
    tail.replace(with: e, where: u .== 1)
    var positive = z
    positive.replace(with: 0, where: z .<= 0)
    return (positive - z * t) + tail
  }
}

/// The same lane functions in f64.
enum DoubleChoices {
  typealias Lane = Double.Lane

  @inline(__always) static func relu(_ x: Lane) -> Lane {
    var y = Lane(repeating: 0)
    y.replace(with: x, where: x .> 0)
    return y
  }

  @inline(__always) static func step(_ x: Lane) -> Lane {
    var y = Lane(repeating: 0)
    y.replace(with: 1, where: x .> 0)
    return y
  }

  @inline(__always) static func sign(_ x: Lane) -> Lane {
    var y = Lane(repeating: 0)
    y.replace(with: 1, where: x .> 0)
    y.replace(with: -1, where: x .< 0)
    return y
  }

  @inline(__always) static func hardTanh(_ x: Lane) -> Lane {
    var low = Lane(repeating: -1)
    low.replace(with: x, where: x .>= -1)
    var y = Lane(repeating: 1)
    y.replace(with: low, where: low .< 1)
    return y
  }

  @inline(__always) static func abs(_ x: Lane) -> Lane {
    let bits = unsafeBitCast(x, to: Lane.MaskStorage.self) & Lane.MaskStorage(repeating: .max)
    return unsafeBitCast(bits, to: Lane.self)
  }

  @inline(__always) static func negate(_ x: Lane) -> Lane {
    let bits = unsafeBitCast(x, to: Lane.MaskStorage.self) ^ Lane.MaskStorage(repeating: .min)
    return unsafeBitCast(bits, to: Lane.self)
  }

  @inline(__always) static func leakyRelu(_ x: Lane, _ alpha: Lane) -> Lane {
    var y = x * alpha
    y.replace(with: x, where: x .> 0)
    return y
  }

  @inline(__always) static func leakyStep(_ x: Lane, _ alpha: Lane) -> Lane {
    var y = alpha
    y.replace(with: 1, where: x .> 0)
    return y
  }

  @inline(__always) static func squareRoot(_ x: Lane) -> Lane { x.squareRoot() }

  @inline(__always) static func square(_ x: Lane) -> Lane { x * x }

  @inline(__always) static func equal(_ a: Lane, _ b: Lane) -> Lane {
    var y = Lane(repeating: 0)
    y.replace(with: 1, where: a .== b)
    return y
  }

  @inline(__always) static func prelu(_ x: Lane, _ a: Lane) -> Lane {
    var y = a * x
    y.replace(with: x, where: x .> 0)
    return y
  }

  @inline(__always) static func select(_ c: Lane, _ a: Lane, _ b: Lane) -> Lane {
    var y = b
    y.replace(with: a, where: c .> 0)
    return y
  }
}
