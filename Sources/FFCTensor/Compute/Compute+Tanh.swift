extension Compute {
  /// tanh in f32 by the ISA module's vectorised rational approximation (FFCKernels'
  /// VectorTanh.swift), on the given path (the process's by default).
  public static func tanh(
    _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int,
    isa: KernelISA = Compute.isa
  ) {
    isa.kernels.tanh(x, out, count: count)
  }
}
