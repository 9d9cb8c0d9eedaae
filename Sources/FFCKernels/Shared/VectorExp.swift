// Shared by the three ISA kernel modules (see PackedProduct.swift).
import FFCKernelCore

extension Kernels {
  public static func exp(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int)
  {
    VectorExp.apply(x, out, count: count)
  }
}

/// e^x in f32, `TanhLane.scalarCount` lanes at a time, within 1 ulp of the exact value over the
/// whole f32 range (ExpKernelTests sweeps every 4099th bit pattern against the f64 exp on every
/// path): n = round(x / ln 2), r = x − n·ln 2 in two parts (Cody–Waite), e^r by Cephes' degree-6
/// polynomial, and 2^n built in the exponent bits in two halves, so a subnormal result is rounded
/// once. Above ln(FLT_MAX) the result is +inf, below ln(2^-150) it is +0, NaN stays NaN. The
/// operations are IEEE ones without contraction (Swift does not fuse a·b + c), so every path
/// gives the same bits. glibc's `expf` is scalar.
enum VectorExp {

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
    // The largest x whose e^x is finite in f32, and the bound below which e^x rounds to 0.
    let overflow = TanhLane(repeating: 88.72283172607421875)
    let underflow = TanhLane(repeating: -103.97208404541015625)
    var x = input
    x.replace(with: overflow, where: x .> overflow)
    x.replace(with: underflow, where: x .< underflow)
    // Rounded to the nearest integer by adding 1.5·2^23: its low bits are then n.
    let magic = TanhLane(repeating: 12_582_912)
    let shifted = x * 1.44269504088896341 + magic
    let n = shifted - magic
    let r = (x - n * 0.693359375) - n * -2.12194440e-4
    var p = r * 1.9875691500e-4 + 1.3981999507e-3
    p = p * r + 8.3334519073e-3
    p = p * r + 4.1665795894e-2
    p = p * r + 1.6666665459e-1
    p = p * r + 5.0000001201e-1
    let y = (p * (r * r) + r) + 1
    // 2^n as two factors 2^(n/2) and 2^(n − n/2), each a normal number for n in [-150, 128].
    let whole = unsafeBitCast(shifted, to: Lanes.self) &- unsafeBitCast(magic, to: Lanes.self)
    let half = whole &>> 1
    let first = unsafeBitCast((half &+ 127) &<< 23, to: TanhLane.self)
    let second = unsafeBitCast((whole &- half &+ 127) &<< 23, to: TanhLane.self)
    var result = y * first * second
    result.replace(with: .infinity, where: input .> overflow)
    result.replace(with: 0, where: input .< underflow)
    result.replace(with: input, where: input .!= input)
    return result
  }
}

#if FFC_AVX512
  typealias Lanes = SIMD16<Int32>
#elseif FFC_AVX2
  typealias Lanes = SIMD8<Int32>
#else
  typealias Lanes = SIMD4<Int32>
#endif
