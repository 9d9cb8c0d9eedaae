import FFCTensor
import Foundation
import Testing

/// The f64 exp and log on every path against an 80-bit reference (x86-64; glibc's f64 functions
/// elsewhere, with half an ulp more allowed), over about a million bit patterns spread over the
/// whole f64 range plus the edges, at every tail length, with the same bits on every path.
@Suite struct DoubleExpLogKernelTests {
  static let paths = KernelISA.allCases.filter(\.isSupported)

  static let sweep: [Double] =
    stride(from: UInt64(0), to: UInt64.max - 17_592_186_044_423, by: 17_592_186_044_423).map {
      Double(bitPattern: $0)
    }
    + [
      709.782712893384, 709.78271289338397, 709.7827128933841, -708.39641853226408,
      -745.13321910194111, -745.1332191019412, -745.13321910194122, -746, 1e-300, 5e-324,
      .infinity, -.infinity, .nan, 0, -0.0, 1, 2, 0.5, 0.70710678118654752, 1.4142135623730951,
    ]

  func apply(_ values: [Double], isa: KernelISA, log: Bool) -> [Double] {
    var out = [Double](repeating: 0, count: values.count)
    values.withUnsafeBufferPointer { x in
      out.withUnsafeMutableBufferPointer { y in
        if log {
          Compute.log(x.baseAddress!, y.baseAddress!, count: values.count, isa: isa)
        } else {
          Compute.exp(x.baseAddress!, y.baseAddress!, count: values.count, isa: isa)
        }
      }
    }
    return out
  }

  /// The error in ulp of the exact result's binade (subnormals in units of the smallest one).
  func ulpError(_ y: Double, _ x: Double, log: Bool) -> Double {
    #if arch(x86_64)
      let wide = Float80(x)
      let exact = log ? Foundation.log(wide) : Foundation.exp(wide)
      let slack = 0.0
    #else
      let exact = log ? Foundation.log(x) : Foundation.exp(x)
      let slack = 0.5
    #endif
    if exact.isNaN { return y.isNaN ? 0 : .infinity }
    if exact.isInfinite || abs(exact) > Float80(Double.greatestFiniteMagnitude) {
      return y == Double(exact) || (y.isInfinite && y.sign == exact.sign) ? 0 : .infinity
    }
    let unit = Swift.max(Double(exact).ulp, Double.leastNonzeroMagnitude)
    return Double(abs(Float80(y) - Float80(exact)) / Float80(unit)) - slack
  }

  @Test(arguments: [false, true])
  func withinOneUlpOverTheWholeRange(log: Bool) {
    for isa in Self.paths {
      let outputs = apply(Self.sweep, isa: isa, log: log)
      var worst = 0.0
      var worstAt = 0.0
      for (x, y) in zip(Self.sweep, outputs) where !x.isNaN {
        let error = ulpError(y, x, log: log)
        if error > worst { (worst, worstAt) = (error, x) }
      }
      #expect(worst <= 1, "\(isa) \(log ? "log" : "exp"): worst error \(worst) ulp at \(worstAt)")
    }
  }

  @Test(arguments: [false, true])
  func sameBitsOnEveryPath(log: Bool) {
    let reference = apply(Self.sweep, isa: .generic, log: log).map(\.bitPattern)
    for isa in Self.paths {
      #expect(apply(Self.sweep, isa: isa, log: log).map(\.bitPattern) == reference, "\(isa)")
    }
  }

  @Test func specialValues() {
    for isa in Self.paths {
      let e = apply([.infinity, -.infinity, .nan, -0.0, 0, 710, -746, 1], isa: isa, log: false)
      #expect(e[0] == .infinity && e[1] == 0 && e[2].isNaN, "\(isa)")
      #expect(e[3] == 1 && e[4] == 1 && e[5] == .infinity && e[6] == 0, "\(isa)")
      #expect(abs(e[7] - M_E) <= M_E.ulp, "\(isa)")
      let l = apply([.infinity, -.infinity, .nan, -0.0, 0, -1, 1, 5e-324], isa: isa, log: true)
      #expect(l[0] == .infinity && l[1].isNaN && l[2].isNaN, "\(isa)")
      #expect(l[3] == -.infinity && l[4] == -.infinity && l[5].isNaN && l[6] == 0, "\(isa)")
      #expect(abs(l[7] + 744.44007192138126) < 1e-12, "\(isa)")
    }
  }

  @Test func everyTailLength() {
    for isa in Self.paths {
      for count in 0...19 {
        let inputs = (0..<count).map { Double($0) * 0.7 + 0.3 }
        for log in [false, true] {
          let outputs = apply(inputs, isa: isa, log: log)
          for (x, y) in zip(inputs, outputs) {
            #expect(ulpError(y, x, log: log) <= 1, "\(isa) count \(count)")
          }
        }
      }
    }
  }
}

/// sigmoid and softplus in f32 on the vector exp and log against the f64 functions, over every
/// 4099th f32 bit pattern, on every path, with the same bits on every path.
@Suite struct ActivationKernelTests {
  static let paths = KernelISA.allCases.filter(\.isSupported)

  static func exact(_ x: Double, softplus: Bool) -> Double {
    if softplus { return Swift.max(x, 0) + Foundation.log1p(Foundation.exp(-abs(x))) }
    return x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x))
  }

  func apply(_ values: [Float], isa: KernelISA, softplus: Bool) -> [Float] {
    var out = [Float](repeating: 0, count: values.count)
    values.withUnsafeBufferPointer { x in
      out.withUnsafeMutableBufferPointer { y in
        if softplus {
          Compute.softplus(x.baseAddress!, y.baseAddress!, count: values.count, isa: isa)
        } else {
          Compute.sigmoid(x.baseAddress!, y.baseAddress!, count: values.count, isa: isa)
        }
      }
    }
    return out
  }

  func ulpError(_ y: Float, _ x: Float, softplus: Bool) -> Double {
    let exact = Self.exact(Double(x), softplus: softplus)
    if exact > Double(Float.greatestFiniteMagnitude) { return y == .infinity ? 0 : .infinity }
    let unit = Double(Swift.max(Float(exact).ulp, Float.leastNonzeroMagnitude))
    return abs(Double(y) - exact) / unit
  }

  @Test(arguments: [(false, 2.5), (true, 3.0)])
  func withinBoundOverTheWholeRange(softplus: Bool, bound: Double) {
    for isa in Self.paths {
      let outputs = apply(ExpKernelTests.sweep, isa: isa, softplus: softplus)
      var (worst, worstAt): (Double, Float) = (0, 0)
      for (x, y) in zip(ExpKernelTests.sweep, outputs) where !x.isNaN {
        let error = ulpError(y, x, softplus: softplus)
        if error > worst { (worst, worstAt) = (error, x) }
      }
      #expect(worst <= bound, "\(isa) softplus \(softplus): worst \(worst) ulp at \(worstAt)")
    }
  }

  @Test(arguments: [false, true])
  func sameBitsOnEveryPath(softplus: Bool) {
    let reference = apply(ExpKernelTests.sweep, isa: .generic, softplus: softplus)
    for isa in Self.paths {
      let got = apply(ExpKernelTests.sweep, isa: isa, softplus: softplus)
      #expect(got.map(\.bitPattern) == reference.map(\.bitPattern), "\(isa)")
    }
  }

  @Test func specialValuesAndTails() {
    for isa in Self.paths {
      let s = apply([.infinity, -.infinity, .nan, 0, -0.0, 100, -200], isa: isa, softplus: false)
      #expect(s[0] == 1 && s[1] == 0 && s[2].isNaN && s[3] == 0.5 && s[4] == 0.5, "\(isa)")
      #expect(s[5] == 1 && s[6] == 0, "\(isa)")
      let p = apply([.infinity, -.infinity, .nan, 0, 100, -200], isa: isa, softplus: true)
      #expect(p[0] == .infinity && p[1] == 0 && p[2].isNaN, "\(isa)")
      #expect(p[3] == Float(M_LN2) && p[4] == 100 && p[5] == 0, "\(isa)")
      for count in 0...33 {
        let inputs = (0..<count).map { Float($0) * 0.9 - 15 }
        for softplus in [false, true] {
          let outputs = apply(inputs, isa: isa, softplus: softplus)
          for (x, y) in zip(inputs, outputs) {
            #expect(ulpError(y, x, softplus: softplus) <= 3, "\(isa) count \(count)")
          }
        }
      }
    }
  }
}

/// Sums and maxima over odd `outer × reduced × inner` shapes on every path: along columns the
/// same bits as the scalar loop, along rows the same bits on every path and the scalar loop's
/// bits for rows shorter than the 32 (f32) or 16 (f64) partial sums.
@Suite struct ReductionKernelTests {
  static let paths = KernelISA.allCases.filter(\.isSupported)
  static let shapes: [(Int, Int, Int)] = [
    (1, 1, 1), (1, 7, 1), (3, 31, 1), (2, 32, 1), (1, 33, 1), (3, 100, 1), (1, 1000, 1),
    (1, 3, 5), (1, 128, 37), (2, 17, 67), (3, 5, 129), (1, 256, 2048), (2, 1, 16),
  ]

  func data<T: BinaryFloatingPoint>(_ count: Int, _: T.Type) -> [T] {
    var rng = SplitMix64(seed: UInt64(count))
    return (0..<count).map { _ in T(rng.uniform(-10, 10)) }
  }

  func run<T: KernelScalar>(
    _ x: [T], _ shape: (Int, Int, Int), max: Bool, isa: KernelISA?
  ) -> [T] {
    let (outer, reduced, inner) = shape
    let layout = Compute.ReductionLayout(shape: [outer, reduced, inner], axes: [1])
    var out = [T](repeating: 0, count: outer * inner)
    x.withUnsafeBufferPointer { p in
      out.withUnsafeMutableBufferPointer { o in
        switch (isa, max) {
        case (nil, false): Compute.scalarSum(p.baseAddress!, o.baseAddress!, layout)
        case (nil, true): Compute.scalarMax(p.baseAddress!, o.baseAddress!, layout)
        case (let isa?, false): Compute.sum(p.baseAddress!, o.baseAddress!, layout, isa: isa)
        case (let isa?, true): Compute.max(p.baseAddress!, o.baseAddress!, layout, isa: isa)
        }
      }
    }
    return out
  }

  func bits<T: KernelScalar>(_ values: [T]) -> [UInt64] { values.map { Double($0).bitPattern } }

  func check<T: KernelScalar>(_: T.Type, lanes: Int) {
    for shape in Self.shapes {
      let (outer, reduced, inner) = shape
      let x = data(outer * reduced * inner, T.self)
      for max in [false, true] {
        let scalar = run(x, shape, max: max, isa: nil)
        let first = run(x, shape, max: max, isa: .generic)
        for isa in Self.paths {
          let got = run(x, shape, max: max, isa: isa)
          let label = "\(T.self) \(shape) max \(max) \(isa)"
          #expect(bits(got) == bits(first), "\(label)")
          if max || inner > 1 || reduced < lanes {
            #expect(bits(got) == bits(scalar), "\(label)")
          }
          for (g, s) in zip(got, scalar) {
            #expect(abs(Double(g) - Double(s)) <= 1e-4 * Double(reduced), "\(label)")
          }
        }
      }
    }
  }

  @Test func floatShapes() { check(Float.self, lanes: 32) }
  @Test func doubleShapes() { check(Double.self, lanes: 16) }

  @Test func nanAndNegativeZero() {
    for isa in Self.paths {
      for shape in [(1, 40, 1), (1, 40, 33)] {
        var x = [Float](repeating: -0.0, count: 40 * shape.2)
        #expect(run(x, shape, max: false, isa: isa).allSatisfy { $0 == 0 && $0.sign == .plus })
        x[37 * shape.2] = .nan
        #expect(run(x, shape, max: false, isa: isa)[0].isNaN, "\(isa)")
        #expect(run(x, shape, max: true, isa: isa)[0].isNaN, "\(isa)")
      }
    }
  }
}

/// tanh, sigmoid and softplus in f64 against 80-bit references (x86-64; f64 glibc elsewhere, with
/// half an ulp more allowed), over the f64 sweep, on every path, with the same bits on every path.
@Suite struct DoubleActivationKernelTests {
  enum Function: CaseIterable { case tanh, sigmoid, softplus }
  static let paths = KernelISA.allCases.filter(\.isSupported)

  func apply(_ values: [Double], _ f: Function, isa: KernelISA) -> [Double] {
    var out = [Double](repeating: 0, count: values.count)
    values.withUnsafeBufferPointer { x in
      out.withUnsafeMutableBufferPointer { y in
        let (p, o, n) = (x.baseAddress!, y.baseAddress!, values.count)
        switch f {
        case .tanh: Compute.tanh(p, o, count: n, isa: isa)
        case .sigmoid: Compute.sigmoid(p, o, count: n, isa: isa)
        case .softplus: Compute.softplus(p, o, count: n, isa: isa)
        }
      }
    }
    return out
  }

  func ulpError(_ y: Double, _ x: Double, _ f: Function) -> Double {
    #if arch(x86_64)
      typealias Wide = Float80
      let slack = 0.0
    #else
      typealias Wide = Double
      let slack = 0.5
    #endif
    let w = Wide(x)
    let exact: Wide
    switch f {
    case .tanh: exact = Foundation.tanh(w)
    case .sigmoid:
      exact = w >= 0 ? 1 / (1 + Foundation.exp(-w)) : Foundation.exp(w) / (1 + Foundation.exp(w))
    case .softplus: exact = Swift.max(w, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(w)))
    }
    if exact.isNaN { return y.isNaN ? 0 : .infinity }
    if abs(exact) > Wide(Double.greatestFiniteMagnitude) { return y == .infinity ? 0 : .infinity }
    let unit = Swift.max(Double(exact).ulp, Double.leastNonzeroMagnitude)
    return Double(abs(Wide(y) - exact) / Wide(unit)) - slack
  }

  @Test(arguments: [(Function.tanh, 2.0), (.sigmoid, 2.5), (.softplus, 3.0)])
  func withinBoundOverTheWholeRange(_ f: Function, bound: Double) {
    let inputs = DoubleExpLogKernelTests.sweep + (0..<2000).map { Double($0) * 0.02 - 20 }
    let reference = apply(inputs, f, isa: .generic)
    for isa in Self.paths {
      let outputs = apply(inputs, f, isa: isa)
      #expect(outputs.map(\.bitPattern) == reference.map(\.bitPattern), "\(isa) \(f)")
      var (worst, worstAt) = (0.0, 0.0)
      for (x, y) in zip(inputs, outputs) where !x.isNaN {
        let error = ulpError(y, x, f)
        if error > worst { (worst, worstAt) = (error, x) }
      }
      #expect(worst <= bound, "\(isa) \(f): worst \(worst) ulp at \(worstAt)")
    }
  }

  @Test func specialValuesAndTails() {
    for isa in Self.paths {
      let t = apply([.infinity, -.infinity, .nan, -0.0, 0, 30, -30], .tanh, isa: isa)
      #expect(t[0] == 1 && t[1] == -1 && t[2].isNaN && t[3] == 0 && t[3].sign == .minus, "\(isa)")
      #expect(t[4] == 0 && t[5] == 1 && t[6] == -1, "\(isa)")
      let s = apply([.infinity, -.infinity, .nan, 0, 800, -800], .sigmoid, isa: isa)
      #expect(s[0] == 1 && s[1] == 0 && s[2].isNaN && s[3] == 0.5 && s[4] == 1 && s[5] == 0)
      let p = apply([.infinity, -.infinity, .nan, 0, 800, -800], .softplus, isa: isa)
      #expect(p[0] == .infinity && p[1] == 0 && p[2].isNaN && p[4] == 800 && p[5] == 0)
      #expect(abs(p[3] - M_LN2) <= M_LN2.ulp, "\(isa)")
      for count in 0...19 {
        let inputs = (0..<count).map { Double($0) * 0.9 - 8 }
        for f in Function.allCases {
          for (x, y) in zip(inputs, apply(inputs, f, isa: isa)) {
            #expect(ulpError(y, x, f) <= 3, "\(isa) \(f) count \(count)")
          }
        }
      }
    }
  }
}
