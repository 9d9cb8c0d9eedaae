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

extension Compute {
  /// relu, step, sign, hard_tanh, abs or neg by the ISA module's loop (FFCKernels'
  /// Lanewise.swift), at the path's vector width; the scalar reference's bits on every path.
  public static func lanewise(
    _ op: LanewiseOp, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int,
    isa: KernelISA = Compute.isa
  ) {
    isa.kernels.lanewise(op, x, out, count: count)
  }

  public static func lanewise(
    _ op: LanewiseOp, _ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, count: Int,
    isa: KernelISA = Compute.isa
  ) {
    isa.kernels.lanewise(op, x, out, count: count)
  }

  /// leaky_relu or leaky_step with slope `parameter` by the ISA module's loop, the scalar
  /// reference's bits on every path.
  public static func lanewise(
    _ op: ParametricLanewiseOp, _ x: UnsafePointer<Float>, parameter: Float,
    _ out: UnsafeMutablePointer<Float>, count: Int, isa: KernelISA = Compute.isa
  ) {
    isa.kernels.lanewise(op, x, parameter: parameter, out, count: count)
  }

  public static func lanewise(
    _ op: ParametricLanewiseOp, _ x: UnsafePointer<Double>, parameter: Double,
    _ out: UnsafeMutablePointer<Double>, count: Int, isa: KernelISA = Compute.isa
  ) {
    isa.kernels.lanewise(op, x, parameter: parameter, out, count: count)
  }

  /// `where(c, a, b)` by the ISA module's loop (a scalar operand has count 1): the reference's
  /// bits on every path.
  public static func select(
    _ c: UnsafePointer<Float>, cCount: Int, _ a: UnsafePointer<Float>, aCount: Int,
    _ b: UnsafePointer<Float>, bCount: Int, _ out: UnsafeMutablePointer<Float>, count: Int,
    isa: KernelISA = Compute.isa
  ) {
    isa.kernels.select(
      c, cCount: cCount, a, aCount: aCount, b, bCount: bCount, out, count: count)
  }

  public static func select(
    _ c: UnsafePointer<Double>, cCount: Int, _ a: UnsafePointer<Double>, aCount: Int,
    _ b: UnsafePointer<Double>, bCount: Int, _ out: UnsafeMutablePointer<Double>, count: Int,
    isa: KernelISA = Compute.isa
  ) {
    isa.kernels.select(
      c, cCount: cCount, a, aCount: aCount, b, bCount: bCount, out, count: count)
  }

  /// Sigmoid cross-entropy's mean by the ISA module (FFCKernels' Lanewise.swift): each term on
  /// the vector exp and log (softplus's tail), summed in index order; the same bits on every path.
  public static func vectorSigmoidCrossEntropy(
    _ z: UnsafePointer<Float>, _ t: UnsafePointer<Float>, count: Int,
    isa: KernelISA = Compute.isa
  ) -> Float {
    isa.kernels.sigmoidCrossEntropy(z, t, count: count)
  }

  public static func vectorSigmoidCrossEntropy(
    _ z: UnsafePointer<Double>, _ t: UnsafePointer<Double>, count: Int,
    isa: KernelISA = Compute.isa
  ) -> Double {
    isa.kernels.sigmoidCrossEntropy(z, t, count: count)
  }
}

extension Compute {
  /// equal or prelu by the ISA module's loop (FFCKernels' Lanewise.swift), either operand
  /// possibly one value repeated: the scalar reference's bits on every path.
  public static func lanewise(
    _ op: BinaryLanewiseOp, _ a: UnsafePointer<Float>, aCount: Int, _ b: UnsafePointer<Float>,
    bCount: Int, _ out: UnsafeMutablePointer<Float>, count: Int, isa: KernelISA = Compute.isa
  ) {
    isa.kernels.lanewise(op, a, aCount: aCount, b, bCount: bCount, out, count: count)
  }

  public static func lanewise(
    _ op: BinaryLanewiseOp, _ a: UnsafePointer<Double>, aCount: Int, _ b: UnsafePointer<Double>,
    bCount: Int, _ out: UnsafeMutablePointer<Double>, count: Int, isa: KernelISA = Compute.isa
  ) {
    isa.kernels.lanewise(op, a, aCount: aCount, b, bCount: bCount, out, count: count)
  }
}
