extension Compute {
  /// tanh in f32 by the ISA module's vectorised rational approximation (FFCKernels'
  /// VectorTanh.swift), on the given path (the process's by default).
  public static func tanh(
    _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int,
    isa: KernelISA = Compute.isa
  ) {
    isa.kernels.tanh(x, out, count: count)
  }

  /// e^x in f32 by the ISA module's vectorised exp (FFCKernels' VectorExp.swift), within 1 ulp
  /// and with the same bits on every path.
  public static func exp(
    _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int,
    isa: KernelISA = Compute.isa
  ) {
    isa.kernels.exp(x, out, count: count)
  }

  /// log in f32 by the ISA module's vectorised log (FFCKernels' VectorLog.swift), within 2 ulp
  /// and with the same bits on every path.
  public static func log(
    _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int,
    isa: KernelISA = Compute.isa
  ) {
    isa.kernels.log(x, out, count: count)
  }

  /// `out = a ∘ b` by the ISA module's loop (FFCKernels' Arithmetic.swift), at the path's vector
  /// width; the same bits as `zip` with the op's scalar function on every path.
  public static func arithmetic(
    _ op: ArithmeticOp, _ a: UnsafePointer<Float>, aCount: Int, _ b: UnsafePointer<Float>,
    bCount: Int, _ out: UnsafeMutablePointer<Float>, count: Int, isa: KernelISA = Compute.isa
  ) {
    isa.kernels.arithmetic(op, a, aCount: aCount, b, bCount: bCount, out, count: count)
  }

  public static func arithmetic(
    _ op: ArithmeticOp, _ a: UnsafePointer<Double>, aCount: Int, _ b: UnsafePointer<Double>,
    bCount: Int, _ out: UnsafeMutablePointer<Double>, count: Int, isa: KernelISA = Compute.isa
  ) {
    isa.kernels.arithmetic(op, a, aCount: aCount, b, bCount: bCount, out, count: count)
  }
}

extension Compute {
  /// e^x in f64 by the ISA module's vector exp (FFCKernels' VectorDouble.swift), within 1 ulp and
  /// with the same bits on every path.
  public static func exp(
    _ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, count: Int,
    isa: KernelISA = Compute.isa
  ) {
    isa.kernels.exp(x, out, count: count)
  }

  /// log in f64 by the ISA module's vector log, within 1 ulp, the same bits on every path.
  public static func log(
    _ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, count: Int,
    isa: KernelISA = Compute.isa
  ) {
    isa.kernels.log(x, out, count: count)
  }

  /// sigmoid in f32 on the vector exp (FFCKernels' VectorActivations.swift), within 2.5 ulp.
  public static func sigmoid(
    _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int,
    isa: KernelISA = Compute.isa
  ) {
    isa.kernels.sigmoid(x, out, count: count)
  }

  /// softplus in f32 on the vector exp and log, within 3 ulp.
  public static func softplus(
    _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int,
    isa: KernelISA = Compute.isa
  ) {
    isa.kernels.softplus(x, out, count: count)
  }

  /// tanh, sigmoid and softplus in f64 by the ISA module's vector forms (FFCKernels'
  /// VectorDouble.swift), within 2, 2.5 and 3 ulp, the same bits on every path.
  public static func tanh(
    _ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, count: Int,
    isa: KernelISA = Compute.isa
  ) {
    isa.kernels.tanh(x, out, count: count)
  }

  public static func sigmoid(
    _ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, count: Int,
    isa: KernelISA = Compute.isa
  ) {
    isa.kernels.sigmoid(x, out, count: count)
  }

  public static func softplus(
    _ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, count: Int,
    isa: KernelISA = Compute.isa
  ) {
    isa.kernels.softplus(x, out, count: count)
  }
}
