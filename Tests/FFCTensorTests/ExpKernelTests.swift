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
