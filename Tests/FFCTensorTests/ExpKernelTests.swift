import FFCTensor
import Foundation
import Testing

/// The vectorised f32 exp against the f64 exp rounded, over every 4099th f32 bit pattern (both
/// signs, zeros, subnormals, the overflow and underflow edges, infinities and NaN), at every tail
/// length, on every kernel path the machine supports, and with the same bits on every path.
@Suite struct ExpKernelTests {
  static let paths = KernelISA.allCases.filter(\.isSupported)

  func apply(_ values: [Float], isa: KernelISA) -> [Float] {
    var out = [Float](repeating: 0, count: values.count)
    values.withUnsafeBufferPointer { x in
      out.withUnsafeMutableBufferPointer { y in
        Compute.exp(x.baseAddress!, y.baseAddress!, count: values.count, isa: isa)
      }
    }
    return out
  }

  /// The error in ulp of the result's binade (subnormals in units of the smallest subnormal).
  func ulpError(_ y: Float, _ x: Float) -> Double {
    let exact = Foundation.exp(Double(x))
    if exact > Double(Float.greatestFiniteMagnitude) { return y == .infinity ? 0 : .infinity }
    let unit = Double(max(Float(exact).ulp, Float.leastNonzeroMagnitude))
    return abs(Double(y) - exact) / unit
  }

  static let sweep: [Float] =
    stride(from: UInt64(0), to: 1 << 32, by: 4099).map { Float(bitPattern: UInt32($0)) }
    + [88.72283, 88.722832, 88.72284, -87.33655, -103.972, -103.97208, -103.9721, -104, 1e-30]

  @Test func withinOneUlpOverTheWholeRange() {
    for isa in Self.paths {
      let outputs = apply(Self.sweep, isa: isa)
      var worst = 0.0
      for (x, y) in zip(Self.sweep, outputs) where !x.isNaN {
        worst = max(worst, ulpError(y, x))
      }
      #expect(worst <= 1, "\(isa): worst error \(worst) ulp")
    }
  }

  @Test func sameBitsOnEveryPath() {
    let reference = apply(Self.sweep, isa: .generic).map(\.bitPattern)
    for isa in Self.paths {
      #expect(apply(Self.sweep, isa: isa).map(\.bitPattern) == reference, "\(isa)")
    }
  }

  @Test func specialValues() {
    for isa in Self.paths {
      let out = apply([.infinity, -.infinity, .nan, -0.0, 0, 89, -105, 1], isa: isa)
      #expect(out[0] == .infinity && out[1] == 0 && out[2].isNaN, "\(isa)")
      #expect(out[3] == 1 && out[4] == 1 && out[5] == .infinity && out[6] == 0, "\(isa)")
      #expect(out[7] == Float(M_E), "\(isa)")
    }
  }

  @Test func everyTailLength() {
    for isa in Self.paths {
      for count in 0...33 {
        let inputs = (0..<count).map { Float($0) * 0.7 - 9 }
        let outputs = apply(inputs, isa: isa)
        for (x, y) in zip(inputs, outputs) {
          #expect(ulpError(y, x) <= 1, "\(isa) count \(count)")
        }
      }
    }
  }
}

/// softmax and log_softmax in f32 on the vector exp against the f64 loop, on odd row lengths,
/// with infinities and NaN in rows, in place, and the same bits on every path.
@Suite struct VectorSoftmaxTests {
  func run(_ x: [Float], rows: Int, logarithm: Bool, isa: KernelISA) -> [Float] {
    var out = [Float](repeating: 0, count: x.count)
    let layout = Compute.AxisLayout(shape: [rows, x.count / rows], axis: 1)
    x.withUnsafeBufferPointer { p in
      out.withUnsafeMutableBufferPointer { o in
        Compute.vectorSoftmax(
          p.baseAddress!, o.baseAddress!, layout, logarithm: logarithm, isa: isa)
      }
    }
    return out
  }

  func reference(_ x: [Float], rows: Int, logarithm: Bool) -> [Double] {
    var out = [Double](repeating: 0, count: x.count)
    let wide = x.map(Double.init)
    let layout = Compute.AxisLayout(shape: [rows, x.count / rows], axis: 1)
    wide.withUnsafeBufferPointer { p in
      out.withUnsafeMutableBufferPointer { o in
        Compute.softmax(p.baseAddress!, o.baseAddress!, layout, logarithm: logarithm)
      }
    }
    return out
  }

  @Test func oddLengthsAgreeWithTheWideLoop() {
    for length in [1, 3, 7, 17, 33, 100] {
      let rows = 3
      let x = (0..<rows * length).map { Float(sin(Double($0) * 1.7) * 30) }
      for logarithm in [false, true] {
        let expected = reference(x, rows: rows, logarithm: logarithm)
        let first = run(x, rows: rows, logarithm: logarithm, isa: .generic)
        for isa in ExpKernelTests.paths {
          let got = run(x, rows: rows, logarithm: logarithm, isa: isa)
          #expect(got.map(\.bitPattern) == first.map(\.bitPattern), "\(isa) \(length)")
          for (g, e) in zip(got, expected) {
            #expect(abs(Double(g) - e) <= 1e-5 * max(1, abs(e)), "\(isa) \(length) \(logarithm)")
          }
        }
      }
    }
  }

  @Test func specialRows() {
    let x: [Float] = [.infinity, 1, 2, 0, .nan, 1, -.infinity, 0, 0]
    let soft = run(x, rows: 3, logarithm: false, isa: Compute.isa)
    #expect(soft[0] == 1 && soft[1] == 0 && soft[2] == 0)
    #expect(soft[3].isNaN && soft[4].isNaN && soft[5].isNaN)
    #expect(soft[6] == 0 && soft[7] == 0.5 && soft[8] == 0.5)
    let log = run(x, rows: 3, logarithm: true, isa: Compute.isa)
    #expect(log[6] == -.infinity && abs(log[7] + 0.6931472) < 1e-6)
  }

  @Test func inPlaceAndAlongAnotherAxis() {
    var x: [Float] = [1, 2, 3, 4, 5, 6]
    let expected = run(x, rows: 2, logarithm: true, isa: Compute.isa)
    let layout = Compute.AxisLayout(shape: [2, 3], axis: 1)
    x.withUnsafeMutableBufferPointer { p in
      Compute.vectorSoftmax(UnsafePointer(p.baseAddress!), p.baseAddress!, layout, logarithm: true)
    }
    #expect(x == expected)
    var columns = [Float](repeating: 0, count: 6)
    [Float](arrayLiteral: 1, 2, 3, 4, 5, 6).withUnsafeBufferPointer { p in
      columns.withUnsafeMutableBufferPointer { o in
        Compute.vectorSoftmax(
          p.baseAddress!, o.baseAddress!, Compute.AxisLayout(shape: [2, 3], axis: 0),
          logarithm: false)
      }
    }
    #expect(abs(columns[0] + columns[3] - 1) < 1e-6)
  }
}
