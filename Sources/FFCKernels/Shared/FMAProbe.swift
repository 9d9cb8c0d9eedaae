// Shared by the three ISA kernel modules (see PackedProduct.swift).
import FFCKernelCore

extension Kernels {
  public static func fmaProbe(_ seed: Float, iterations: Int) -> (result: Float, flops: Int) {
    FMAProbe.run(seed, iterations: iterations)
  }
  public static func fmaProbe(_ seed: Double, iterations: Int) -> (result: Double, flops: Int) {
    FMAProbe.run(seed, iterations: iterations)
  }
}

/// The machine's FMA ceiling on this path: twelve independent chains of register-wide
/// multiply-adds (the product's tile keeps twelve accumulators too), with nothing else in the
/// loop, so it runs at the FMA pipes' throughput: on Zen 4 a zmm FMA issues as two 256-bit
/// halves (the same ceiling as ymm), on Ice Lake and Skylake-SP it counts double.
enum FMAProbe {
  static func run<T: LaneScalar>(_ seed: T, iterations: Int) -> (result: T, flops: Int) {
    // acc + x·y with x·y small: the sums grow linearly and never overflow, and the multiply-add
    // is fused, so the compiler can neither hoist the product nor reassociate the chain.
    let (x, y) = (T.Lane(repeating: seed), T.Lane(repeating: seed / 1024))
    var (a0, a1, a2, a3) = (T.Lane(), T.Lane(repeating: 1), T.Lane(repeating: 2), T.Lane())
    var (a4, a5, a6, a7) = (T.Lane(), T.Lane(), T.Lane(), T.Lane())
    var (a8, a9, a10, a11) = (T.Lane(), T.Lane(), T.Lane(), T.Lane())
    for _ in 0..<iterations {
      a0 = a0.addingProduct(x, y)
      a1 = a1.addingProduct(x, y)
      a2 = a2.addingProduct(x, y)
      a3 = a3.addingProduct(x, y)
      a4 = a4.addingProduct(x, y)
      a5 = a5.addingProduct(x, y)
      a6 = a6.addingProduct(x, y)
      a7 = a7.addingProduct(x, y)
      a8 = a8.addingProduct(x, y)
      a9 = a9.addingProduct(x, y)
      a10 = a10.addingProduct(x, y)
      a11 = a11.addingProduct(x, y)
    }
    let sum = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11))
    return (sum.sum(), 2 * 12 * T.Lane.scalarCount * iterations)
  }
}
