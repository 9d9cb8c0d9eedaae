// Shared by the three ISA kernel modules (see PackedProduct.swift).
import FFCKernelCore

#if FFC_AVX512
  typealias TanhLane = SIMD16<Float>
#elseif FFC_AVX2
  typealias TanhLane = SIMD8<Float>
#else
  typealias TanhLane = SIMD4<Float>
#endif

extension Kernels {
  public static var vectorBytes: Int { MemoryLayout<TanhLane>.size }

  public static func tanh(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int)
  {
    VectorTanh.apply(x, out, count: count)
  }
}

enum VectorTanh {
  /// tanh in f32, `TanhLane.scalarCount` lanes at a time (16 with AVX-512, 8 with AVX2, 4 with
  /// SSE2 or NEON): a rational approximation x·P(x²)/Q(x²) on |x| ≤ 7.9 (beyond which tanh rounds
  /// to ±1 in f32), exact to a few ulp, as in Eigen's fast tanh. glibc's `tanhf` is scalar and was
  /// half of a deep tanh network's training step.
  ///
  /// This loop is written out again in VectorExp and VectorLog on purpose: passed as a closure to
  /// one shared loop, `lanes` stopped being inlined on the AVX-512 path (a call per vector, the
  /// zmm register split into four xmm arguments).
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
  static func lanes(_ input: TanhLane) -> TanhLane {
    let limit = TanhLane(repeating: 7.90531110763549805)
    // Clamped with compares and selects: `clamped` goes through the generic pointwise min and
    // max, which are not inlined and handle NaN lane by lane.
    var x = input
    x.replace(with: limit, where: x .> limit)
    x.replace(with: -limit, where: x .< -limit)
    let x2 = x * x
    var p = x2 * -2.76076847742355e-16 + 2.00018790482477e-13
    p = x2 * p + -8.60467152213735e-11
    p = x2 * p + 5.12229709037114e-08
    p = x2 * p + 1.48572235717979e-05
    p = x2 * p + 6.37261928875436e-04
    p = x2 * p + 4.89352455891786e-03
    p = x * p
    var q = x2 * 1.19825839466702e-06 + 1.18534705686654e-04
    q = x2 * q + 2.26843463243900e-03
    q = x2 * q + 4.89352518554385e-03
    var y = p / q
    // Tiny inputs are their own tanh (and keep their sign, -0 included); NaN stays NaN, which
    // the clamp would have turned into a number.
    y.replace(with: input, where: (input .< 0.0004) .& (input .> -0.0004))
    y.replace(with: input, where: input .!= input)
    return y
  }
}
