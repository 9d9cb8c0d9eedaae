import FFCTensor
import Foundation
import Testing

/// The vectorised f32 tanh against Foundation's, over its whole range, the tiny values it passes
/// through, the saturated tails, signed zeros, infinities and NaN, at every tail length, on every
/// kernel path the machine supports.
@Suite struct TanhKernelTests {
  static let paths = KernelISA.allCases.filter(\.isSupported)

  func apply(_ values: [Float], isa: KernelISA) -> [Float] {
    var out = [Float](repeating: 0, count: values.count)
    values.withUnsafeBufferPointer { x in
      out.withUnsafeMutableBufferPointer { y in
        Compute.tanh(x.baseAddress!, y.baseAddress!, count: values.count, isa: isa)
      }
    }
    return out
  }

  @Test func matchesTanhWithinAFewUlp() {
    let inputs =
      stride(from: -20.0, through: 20.0, by: 0.00137).map { Float($0) }
      + [0, -0, 1e-8, -1e-8, 3e-4, 4e-4, 5e-4, 7.9, 7.91, 8, 1e30, -1e30]
    for isa in Self.paths {
      let outputs = apply(inputs, isa: isa)
      var worst: Float = 0
      for (x, y) in zip(inputs, outputs) {
        let expected = Float(Foundation.tanh(Double(x)))
        worst = max(worst, abs(y - expected) / max(Float.ulpOfOne, abs(expected).ulp))
      }
      #expect(worst <= 8, "\(isa): worst error \(worst) ulp")
      #expect(worst > 0, "\(isa): the approximation is not the library function")
    }
  }

  @Test func specialValues() {
    for isa in Self.paths {
      let out = apply([.infinity, -.infinity, .nan, -0.0, 0], isa: isa)
      #expect(out[0] == 1 && out[1] == -1 && out[2].isNaN, "\(isa)")
      #expect(out[3] == 0 && out[3].sign == .minus && out[4] == 0, "\(isa)")
    }
  }

  @Test func everyTailLength() {
    for isa in Self.paths {
      for count in 0...33 {
        let inputs = (0..<count).map { Float($0) * 0.3 - 2 }
        let outputs = apply(inputs, isa: isa)
        for (x, y) in zip(inputs, outputs) {
          #expect(abs(y - Foundation.tanhf(x)) < 1e-6, "\(isa) count \(count)")
        }
      }
    }
  }
}
