import FFCTensor
import Foundation
import Testing

/// The vectorised f32 log against the f64 log rounded, over every 4099th positive f32 bit
/// pattern (subnormals, values near 1, the largest finite), the special values, every tail
/// length, on every kernel path the machine supports, and with the same bits on every path.
@Suite struct LogKernelTests {
  static let paths = KernelISA.allCases.filter(\.isSupported)

  func apply(_ values: [Float], isa: KernelISA) -> [Float] {
    var out = [Float](repeating: 0, count: values.count)
    values.withUnsafeBufferPointer { x in
      out.withUnsafeMutableBufferPointer { y in
        Compute.log(x.baseAddress!, y.baseAddress!, count: values.count, isa: isa)
      }
    }
    return out
  }

  func ulpError(_ y: Float, _ x: Float) -> Double {
    let exact = Foundation.log(Double(x))
    return abs(Double(y) - exact) / Double(Float(exact).ulp)
  }

  static let sweep: [Float] =
    stride(from: UInt32(1), to: 0x7f80_0000, by: 4099).map { Float(bitPattern: $0) }
    + [1, 1.0000001, 0.99999994, 0.70710677, 0.7071068, 1.4142135, .greatestFiniteMagnitude]
    + [.leastNonzeroMagnitude, .leastNormalMagnitude, Float.leastNormalMagnitude.nextDown]

  @Test func withinTwoUlpOverTheWholeRange() {
    for isa in Self.paths {
      let outputs = apply(Self.sweep, isa: isa)
      var worst = 0.0
      for (x, y) in zip(Self.sweep, outputs) { worst = max(worst, ulpError(y, x)) }
      #expect(worst <= 2, "\(isa): worst error \(worst) ulp")
      #expect(outputs[Self.sweep.count - 10] == 0, "\(isa): log(1)")
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
      let out = apply([.infinity, -.infinity, .nan, -0.0, 0, -1, -1e-40], isa: isa)
      #expect(out[0] == .infinity && out[1].isNaN && out[2].isNaN, "\(isa)")
      #expect(out[3] == -.infinity && out[4] == -.infinity, "\(isa)")
      #expect(out[5].isNaN && out[6].isNaN, "\(isa)")
    }
  }

  @Test func everyTailLength() {
    for isa in Self.paths {
      for count in 0...33 {
        let inputs = (0..<count).map { Float($0) * 0.7 + 0.01 }
        let outputs = apply(inputs, isa: isa)
        for (x, y) in zip(inputs, outputs) {
          #expect(ulpError(y, x) <= 2, "\(isa) count \(count)")
        }
      }
    }
  }
}
