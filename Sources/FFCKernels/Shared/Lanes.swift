// Shared by the three ISA kernel modules (see PackedProduct.swift); Package.swift defines which
// module this is (FFC_AVX512, FFC_AVX2 or neither), so the one file sets each module's vectors.
import FFCKernelCore

#if FFC_AVX512
  // Built with -target-cpu skylake-avx512: a tile row is two zmm registers, 6 rows take 12 of 32.
  let moduleISA = KernelISA.avx512
  extension Float: LaneScalar { typealias Lane = SIMD32<Float> }
  extension Double: LaneScalar { typealias Lane = SIMD16<Double> }
  typealias TanhLane = SIMD16<Float>
#elseif FFC_AVX2
  // Built with -target-cpu haswell: a tile row is two ymm registers, 6 rows take 12 of 16.
  let moduleISA = KernelISA.avx2
  extension Float: LaneScalar { typealias Lane = SIMD16<Float> }
  extension Double: LaneScalar { typealias Lane = SIMD8<Double> }
  typealias TanhLane = SIMD8<Float>
#else
  // Built for the architecture's baseline (SSE2 on x86-64, NEON on arm64): a tile row is two
  // 128-bit registers, 6 rows take 12 of the 16 (x86-64) or 32 (arm64).
  let moduleISA = KernelISA.generic
  extension Float: LaneScalar { typealias Lane = SIMD8<Float> }
  extension Double: LaneScalar { typealias Lane = SIMD4<Double> }
  typealias TanhLane = SIMD4<Float>
#endif
