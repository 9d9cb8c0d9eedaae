import FFCTensor
import Foundation
import Testing

/// log1p, expm1, sin and cos in f64 and f32, and pow in f32, by the ISA modules' vector forms
/// (Compute.math, Compute.power): on every path the machine supports, within 1 ulp (log1p 1.5;
/// f64, against an 80-bit reference on x86-64) and 1 ulp (f32, against the f64 function; 0.5
/// measured: the f32 results are correctly rounded on these inputs), over about a million
/// bit patterns spread over the whole range plus the edges (near 0, near log1p's pole at -1,
/// expm1's overflow, multiples of π/2 up to and beyond where libm takes over), libm's special
/// values, every tail length, and the same bits on every path.
@Suite struct MathKernelTests {
  static let paths = KernelISA.allCases.filter(\.isSupported)

  static func apply(_ op: MathOp, _ values: [Double], isa: KernelISA) -> [Double] {
    var out = [Double](repeating: 7, count: values.count)
    values.withUnsafeBufferPointer { x in
      out.withUnsafeMutableBufferPointer { y in
        guard let xs = x.baseAddress, let ys = y.baseAddress else { return }
        Compute.math(op, xs, ys, count: values.count, isa: isa)
      }
    }
    return out
  }

  static func apply(_ op: MathOp, _ values: [Float], isa: KernelISA) -> [Float] {
    var out = [Float](repeating: 7, count: values.count)
    values.withUnsafeBufferPointer { x in
      out.withUnsafeMutableBufferPointer { y in
        guard let xs = x.baseAddress, let ys = y.baseAddress else { return }
        Compute.math(op, xs, ys, count: values.count, isa: isa)
      }
    }
    return out
  }

  /// The first input whose outputs' bits differ (NaNs' too), or nil.
  static func firstDifference(_ x: [Double], _ a: [Double], _ b: [Double]) -> String? {
    for i in a.indices where a[i].bitPattern != b[i].bitPattern {
      return "at \(x[i]): \(a[i]) and \(b[i])"
    }
    return nil
  }

  static func firstDifference(_ x: [Float], _ a: [Float], _ b: [Float]) -> String? {
    for i in a.indices where a[i].bitPattern != b[i].bitPattern {
      return "at \(x[i]): \(a[i]) and \(b[i])"
    }
    return nil
  }

  #if arch(x86_64)
    typealias Wide = Float80
    static let slack = 0.0
  #else
    typealias Wide = Double
    static let slack = 0.5
  #endif

  static func exact(_ op: MathOp, _ x: Wide) -> Wide {
    switch op {
    case .log1p: Foundation.log1p(x)
    case .expm1: Foundation.expm1(x)
    case .sin: Foundation.sin(x)
    case .cos: Foundation.cos(x)
    }
  }

  static func libm(_ op: MathOp, _ x: Double) -> Double {
    switch op {
    case .log1p: Foundation.log1p(x)
    case .expm1: Foundation.expm1(x)
    case .sin: Foundation.sin(x)
    case .cos: Foundation.cos(x)
    }
  }

  /// The error in ulp of the exact result's binade (subnormals in units of the smallest one);
  /// infinite for a wrong special value (NaN, infinity, or a zero's sign).
  static func ulpError(_ y: Double, _ exact: Wide) -> Double {
    if exact.isNaN { return y.isNaN ? 0 : .infinity }
    if exact.isInfinite || abs(exact) > Wide(Double.greatestFiniteMagnitude) {
      return y == Double(exact) || (y.isInfinite && y.sign == exact.sign) ? 0 : .infinity
    }
    if exact == 0 { return y == 0 && y.sign == exact.sign ? 0 : .infinity }
    let unit = Swift.max(Double(exact).ulp, Double.leastNonzeroMagnitude)
    return Double(abs(Wide(y) - exact) / Wide(unit)) - slack
  }

  /// The same for an f32 result against the f64 value.
  static func ulpError(_ y: Float, _ exact: Double) -> Double {
    if exact.isNaN { return y.isNaN ? 0 : .infinity }
    if exact.isInfinite || abs(exact) > Double(Float.greatestFiniteMagnitude) {
      return y == Float(exact) || (y.isInfinite && y.sign == exact.sign) ? 0 : .infinity
    }
    if exact == 0 { return y == 0 && y.sign == exact.sign ? 0 : .infinity }
    let unit = Double(Swift.max(Float(exact).ulp, Float.leastNonzeroMagnitude))
    return abs(Double(y) - exact) / unit
  }

  static let doubleSweep: [Double] = {
    var rng = SplitMix64(seed: 29)
    let spread = stride(
      from: UInt64(0), to: UInt64.max - 17_592_186_044_423, by: 17_592_186_044_423
    )
    .map { Double(bitPattern: $0) }
    let dense = (0..<60_000).map { _ in rng.uniform(-12, 12) }
    let tiny = (0..<20_000).map { _ in Foundation.exp(rng.uniform(-745, 0)) * (rng.uniform(-1, 1)) }
    let nearPole = (0..<5_000).map { _ in -1 + Foundation.exp(rng.uniform(-40, -0.1)) }
    let wide = (0..<20_000).map { _ in rng.uniform(-1.7e6, 1.7e6) }
    let expm1Range = (0..<20_000).map { _ in rng.uniform(-50, 710) }
    // Doubles nearest to multiples of π/2, where the reduction cancels most (1 ≤ k ≤ 2^20).
    let multiples = (1...20_000).flatMap { i -> [Double] in
      let k = Double(i * 52 + i % 7)
      let x = k * Double.pi / 2
      return [x, x.nextUp, x.nextDown, -x]
    }
    let edges: [Double] = [
      0, -0.0, .infinity, -.infinity, .nan, 1, -1, -1.0.nextUp, -1.0.nextDown, 5e-324, -5e-324,
      2.2250738585072014e-308, 1e-300, -1e-300, 1e-17, -1e-17, 0.34657359027997264,
      -0.34657359027997264, 1.0397207708399179, -1.0397207708399179, 709.782712893384,
      709.7827128933841, 710, -37, -38, -40, -45, -46, -1000, 1e300, -1e300,
      1.647099e6, 1_647_099.3, -1_647_099.3, 1.7e6, 1e22, 1e300, .pi / 4, .pi / 2, .pi,
      Double.greatestFiniteMagnitude, -Double.greatestFiniteMagnitude,
    ]
    return spread + dense + tiny + nearPole + wide + expm1Range + multiples + edges
  }()

  @Test(arguments: MathOp.allCases)
  func doubleWithinBoundOnEveryPath(op: MathOp) {
    let reference = Self.apply(op, Self.doubleSweep, isa: .generic)
    for isa in Self.paths {
      let outputs = Self.apply(op, Self.doubleSweep, isa: isa)
      let difference = Self.firstDifference(Self.doubleSweep, outputs, reference)
      #expect(difference == nil, "\(isa) \(op) f64 bits differ from generic \(difference ?? "")")
      var (worst, worstAt) = (0.0, 0.0)
      for (x, y) in zip(Self.doubleSweep, outputs) {
        let error = Self.ulpError(y, Self.exact(op, Wide(x)))
        if error > worst { (worst, worstAt) = (error, x) }
      }
      #expect(
        worst <= (op == .log1p ? 1.5 : 1), "\(isa) \(op) f64: worst \(worst) ulp at \(worstAt)")
    }
  }

  /// Every special value is libm's (NaN for NaN, the sign of a zero, ±inf).
  @Test(arguments: MathOp.allCases)
  func doubleSpecialValuesAreLibms(op: MathOp) {
    let specials: [Double] = [
      0, -0.0, .infinity, -.infinity, .nan, -1, -2, -1e300, 710, 1e300, -1e300, 5e-324, -5e-324,
      1e-310, -1e-310, 1.7e6, -1e22,
    ]
    for isa in Self.paths {
      for (x, y) in zip(specials, Self.apply(op, specials, isa: isa)) {
        let want = Self.libm(op, x)
        let ok =
          (want.isNaN && y.isNaN) || (want == y && want.sign == y.sign)
          || (want.isFinite && want != 0 && abs(y - want) <= 2 * want.ulp)
        #expect(ok, "\(isa) \(op)(\(x)) = \(y), libm \(want)")
      }
    }
  }

  static let floatSweep: [Float] =
    stride(from: UInt64(0), to: 1 << 32, by: 4099).map { Float(bitPattern: UInt32($0)) }
    + [0, -0.0, .infinity, -.infinity, .nan, -1, Float(-1).nextUp, 88.72283, 88.72284, -104]
    + [1e-30, -1e-30, 1.6470993e6, 1.6471e6, 3.1415927, 1.5707964, 1e38, .leastNonzeroMagnitude]
    // The f32 values nearest to multiples of π/2 (k up to 2^20), where sin and cos reduce most.
    + stride(from: 1, to: 1 << 20, by: 7).flatMap { k -> [Float] in
      let x = Float(Double(k) * Double.pi / 2)
      return [x, x.nextUp, x.nextDown, -x]
    }

  @Test(arguments: MathOp.allCases)
  func floatWithinOneUlpOnEveryPath(op: MathOp) {
    let reference = Self.apply(op, Self.floatSweep, isa: .generic)
    for isa in Self.paths {
      let outputs = Self.apply(op, Self.floatSweep, isa: isa)
      let difference = Self.firstDifference(Self.floatSweep, outputs, reference)
      #expect(difference == nil, "\(isa) \(op) f32 bits differ from generic \(difference ?? "")")
      var (worst, worstAt): (Double, Float) = (0, 0)
      for (x, y) in zip(Self.floatSweep, outputs) {
        let error = Self.ulpError(y, Self.libm(op, Double(x)))
        if error > worst { (worst, worstAt) = (error, x) }
      }
      #expect(worst <= 1, "\(isa) \(op) f32: worst \(worst) ulp at \(worstAt)")
    }
  }

  @Test func everyTailLengthInPlace() {
    for isa in Self.paths {
      for op in MathOp.allCases {
        for count in [0, 1, 3, 7, 15, 16, 17, 33] {
          let x = (0..<count).map { Double($0) * 0.37 - 2.9 }
          var inPlace = x
          inPlace.withUnsafeMutableBufferPointer { p in
            guard let base = p.baseAddress else { return }
            Compute.math(op, base, base, count: count, isa: isa)
          }
          #expect(
            Self.firstDifference(x, inPlace, Self.apply(op, x, isa: isa)) == nil,
            "\(isa) \(op) f64 \(count)")
          for (v, y) in zip(x, inPlace) {
            #expect(Self.ulpError(y, Self.exact(op, Wide(v))) <= 2, "\(isa) \(op) \(count)")
          }
          let xf = x.map { Float($0) }
          var inPlaceF = xf
          inPlaceF.withUnsafeMutableBufferPointer { p in
            guard let base = p.baseAddress else { return }
            Compute.math(op, base, base, count: count, isa: isa)
          }
          #expect(
            Self.firstDifference(xf, inPlaceF, Self.apply(op, xf, isa: isa)) == nil,
            "\(isa) \(op) f32 \(count)")
          for (v, y) in zip(xf, inPlaceF) {
            #expect(Self.ulpError(y, Self.libm(op, Double(v))) <= 1, "\(isa) \(op) \(count)")
          }
        }
      }
    }
  }

  static func power(
    _ a: [Float], _ b: [Float], count: Int, isa: KernelISA, into target: Int = -1
  ) -> [Float] {
    var (x, y) = (a, b)
    var out = [Float](repeating: 7, count: count)
    return x.withUnsafeMutableBufferPointer { xs in
      y.withUnsafeMutableBufferPointer { ys in
        out.withUnsafeMutableBufferPointer { o in
          let destination =
            target == 0 ? xs.baseAddress! : target == 1 ? ys.baseAddress! : o.baseAddress!
          Compute.power(
            xs.baseAddress!, aCount: xs.count, ys.baseAddress!, bCount: ys.count, destination,
            count: count, isa: isa)
          return Array(UnsafeBufferPointer(start: destination, count: count))
        }
      }
    }
  }

  static let powerSpecials: [Float] = [
    0, -0.0, 1, -1, 0.5, -0.5, 2, -2, 3, -3, 2.5, -2.5, .infinity, -.infinity, .nan, 1e-40, -1e-40,
    1e30, -1e30, 16_777_216, 16_777_215, -16_777_215, 0.999_999_94, 1.000_000_1, 1e-5, 127, -149,
    -150, 128, 1.5, -1.5, 7, -7,
  ]

  /// Every pair of special bases and exponents against powf: the same special value (zeros'
  /// signs, ±inf, NaN, exact 1) and within 1 ulp of the f64 pow elsewhere.
  @Test func powerSpecialValuesAreLibms() {
    let s = Self.powerSpecials
    let a = s.flatMap { x in s.map { _ in x } }
    let b = s.flatMap { _ in s }
    for isa in Self.paths {
      let got = Self.power(a, b, count: a.count, isa: isa)
      for i in a.indices {
        let want = Foundation.powf(a[i], b[i])
        let exact = Foundation.pow(Double(a[i]), Double(b[i]))
        // A special value (NaN, ±inf, a signed zero, exactly 1) is powf's; any other result
        // (2^-150, halfway between 0 and the least subnormal, may round either way) within 1 ulp.
        let special = !exact.isFinite || exact == 0 || exact == 1
        let ok =
          (want.isNaN && got[i].isNaN) || (want == got[i] && want.sign == got[i].sign)
          || (!special && Self.ulpError(got[i], exact) <= 1)
        #expect(ok, "\(isa) pow(\(a[i]), \(b[i])) = \(got[i]), powf \(want)")
      }
    }
  }

  /// Random bases (both signs, integer exponents for the negative ones) and exponents, with
  /// either operand one value, in place over each full operand, at every tail length: within
  /// 1 ulp of the f64 pow, the same bits on every path.
  @Test func powerWithinOneUlpOnEveryPath() {
    var rng = SplitMix64(seed: 31)
    let n = 50_000
    let a = (0..<n).map { i -> Float in
      let x = Float(Foundation.exp(rng.uniform(-20, 20)))
      return i % 3 == 0 ? -x : x
    }
    let b = (0..<n).map { i -> Float in
      i % 3 == 0 ? Float(Int(rng.uniform(-30, 30))) : Float(rng.uniform(-8, 8))
    }
    let reference = Self.power(a, b, count: n, isa: .generic)
    for isa in Self.paths {
      let got = Self.power(a, b, count: n, isa: isa)
      #expect(got.map(\.bitPattern) == reference.map(\.bitPattern), "\(isa) bits")
      var worst = 0.0
      for i in 0..<n {
        worst = max(worst, Self.ulpError(got[i], Foundation.pow(Double(a[i]), Double(b[i]))))
      }
      #expect(worst <= 1, "\(isa) pow: worst \(worst) ulp")
      for count in [1, 3, 7, 15, 16, 17, 33] {
        let (x, y) = (Array(a.prefix(count)), Array(b.prefix(count)))
        for (xs, ys) in [(x, y), ([a[5]], y), (x, [b[4]])] {
          let want = (0..<count).map { i in
            Float(
              Foundation.pow(Double(xs[xs.count == 1 ? 0 : i]), Double(ys[ys.count == 1 ? 0 : i])))
          }
          for target in [-1, 0, 1] where target < 0 || [xs, ys][target].count == count {
            let got = Self.power(xs, ys, count: count, isa: isa, into: target)
            for (k, (g, w)) in zip(got, want).enumerated() {
              #expect(
                g == w || (g.isNaN && w.isNaN) || abs(g - w) <= w.ulp,
                "\(isa) count \(count) into \(target) at \(k): \(g), want \(w)")
            }
          }
        }
      }
    }
  }
}
