// Shared by the three ISA kernel modules (see PackedProduct.swift); Package.swift defines which
// module this is (FFC_AVX512, FFC_AVX2 or neither).
import FFCKernelCore

/// This module's kernels, as the dispatcher in FFCTensor sees them (the entry points are beside
/// the loops they call: PackedProduct.swift, VectorTanh.swift).
public enum Kernels: ISAKernels {
  #if FFC_AVX512
    public static var isa: KernelISA { .avx512 }
  #elseif FFC_AVX2
    public static var isa: KernelISA { .avx2 }
  #else
    public static var isa: KernelISA { .generic }
  #endif
}
