import FFCIR
import FFCTensor

// Elementwise ops get their kernels from their scalar function, so that adding one touches only
// its op row. Each loop calls the function's own block loop (`map`, `zip`), which its conformance
// specialised for the precision with the function inlined; the existential costs one indirect
// call per block, not per element.

extension ElementwiseKernel {
  /// The block loop of an elementwise op computing `function`, in both precisions.
  init(_ function: ElementwiseFunction) {
    switch function {
    case .unary(let f):
      self.init(
        float: { _ in { x, _, _, _, out, count in f.map(x, out, count: count) } },
        double: { _ in { x, _, _, _, out, count in f.map(x, out, count: count) } })
    case .parametric(let f, _, _):
      self.init(
        float: { attributes in
          let parameter = Float(function.parameter(attributes))
          return { x, _, _, _, out, count in f.map(x, parameter: parameter, out, count: count) }
        },
        double: { attributes in
          let parameter = function.parameter(attributes)
          return { x, _, _, _, out, count in f.map(x, parameter: parameter, out, count: count) }
        })
    case .binary(let f):
      self.init(
        float: { _ in
          { a, aCount, b, bCount, out, count in
            f.zip(a, aCount: aCount, b, bCount: bCount, out, count: count)
          }
        },
        double: { _ in
          { a, aCount, b, bCount, out, count in
            f.zip(a, aCount: aCount, b, bCount: bCount, out, count: count)
          }
        })
    }
  }
}

extension OpKernel {
  /// An elementwise op's kernel: its block loop run once over the whole value. In place: every
  /// loop reads element i before it writes element i.
  init(elementwise loop: ElementwiseKernel) {
    self.init(
      float: { wholeValue(loop.float($0.attributes), $0) },
      double: { wholeValue(loop.double($0.attributes), $0) }, inPlace: true)
  }
}

/// A block loop over a node's whole value; a unary op's loop ignores its second operand.
func wholeValue<T: PlanScalar>(_ loop: @escaping ElementwiseLoop<T>, _ c: KernelCall<T>)
  -> Instruction
{
  let (a, aCount, out, count) = (c.input(0), c.inputCount(0), c.output, c.outputCount)
  let (b, bCount) = c.inputs.count > 1 ? (c.input(1), c.inputCount(1)) : (a, aCount)
  return { loop(a, aCount, b, bCount, out, count) }
}

/// One of an ISA module's loops, made for a path: the one current when a plan builds the loop
/// (`Compute.isa`, read once then, so a block pays no task-local read of the path).
typealias ISALoop<T> = @Sendable (KernelISA) -> ElementwiseLoop<T>

extension KernelTable {
  /// Elementwise ops whose derived loop is replaced by an ISA module's, which runs at the CPU's
  /// vector width (the derived loops are built for the baseline): tanh in f32 runs a vectorised
  /// rational approximation (Compute.tanh) instead of glibc's scalar tanhf, exp and log vectorised
  /// range reductions and polynomials (Compute.exp within 1 ulp, Compute.log within 2) instead of
  /// expf and logf, the four arithmetic ops the same IEEE operations wider, alone or fused, and
  /// relu, step, sign, hard_tanh, abs and neg the same choices wider (leaky_relu and leaky_step,
  /// which read a slope, are `parametricLoops`).
  static let floatLoops: [(Op, ISALoop<Float>)] = {
    var loops: [(Op, ISALoop<Float>)] = [
      (Op.tanh, tanhLoop), (Op.exp, expLoop), (Op.log, logLoop), (Op.sigmoid, sigmoidLoop),
      (Op.softplus, softplusLoop),
    ]
    loops += arithmeticOps.map { ($0, arithmeticLoop($1)) }
    loops += lanewiseOps.map { ($0, lanewiseLoop($1)) }
    loops += binaryLanewiseOps.map { ($0, binaryLanewiseLoop($1)) }
    return loops
  }()

  /// sigmoid and softplus on the vector exp (and log): within 2.5 and 3 ulp.
  static let sigmoidLoop: ISALoop<Float> = { isa in
    { x, _, _, _, out, count in Compute.sigmoid(x, out, count: count, isa: isa) }
  }

  static let softplusLoop: ISALoop<Float> = { isa in
    { x, _, _, _, out, count in Compute.softplus(x, out, count: count, isa: isa) }
  }

  static let tanhLoop: ISALoop<Float> = { isa in
    { x, _, _, _, out, count in Compute.tanh(x, out, count: count, isa: isa) }
  }

  static let expLoop: ISALoop<Float> = { isa in
    { x, _, _, _, out, count in Compute.exp(x, out, count: count, isa: isa) }
  }

  static let logLoop: ISALoop<Float> = { isa in
    { x, _, _, _, out, count in Compute.log(x, out, count: count, isa: isa) }
  }

  /// f64 exp and log run the ISA module's vector forms (fdlibm's exp and Cephes' log, within 1 ulp),
  /// and tanh, sigmoid and softplus forms on them (within 2, 2.5 and 3 ulp).
  static let doubleLoops: [(Op, ISALoop<Double>)] = {
    var loops: [(Op, ISALoop<Double>)] = [
      (Op.exp, doubleExpLoop), (Op.log, doubleLogLoop), (Op.tanh, doubleTanhLoop),
      (Op.sigmoid, doubleSigmoidLoop), (Op.softplus, doubleSoftplusLoop),
    ]
    loops += arithmeticOps.map { ($0, arithmeticLoop($1)) }
    loops += lanewiseOps.map { ($0, lanewiseLoop($1)) }
    loops += binaryLanewiseOps.map { ($0, binaryLanewiseLoop($1)) }
    return loops
  }()

  static let doubleExpLoop: ISALoop<Double> = { isa in
    { x, _, _, _, out, count in Compute.exp(x, out, count: count, isa: isa) }
  }

  static let doubleLogLoop: ISALoop<Double> = { isa in
    { x, _, _, _, out, count in Compute.log(x, out, count: count, isa: isa) }
  }

  static let doubleTanhLoop: ISALoop<Double> = { isa in
    { x, _, _, _, out, count in Compute.tanh(x, out, count: count, isa: isa) }
  }

  static let doubleSigmoidLoop: ISALoop<Double> = { isa in
    { x, _, _, _, out, count in Compute.sigmoid(x, out, count: count, isa: isa) }
  }

  static let doubleSoftplusLoop: ISALoop<Double> = { isa in
    { x, _, _, _, out, count in Compute.softplus(x, out, count: count, isa: isa) }
  }

  static let arithmeticOps: [(Op, ArithmeticOp)] = [
    (Op.add, .add), (Op.sub, .subtract), (Op.mul, .multiply), (Op.div, .divide),
  ]

  static func arithmeticLoop(_ kind: ArithmeticOp) -> ISALoop<Float> {
    { isa in
      { a, aCount, b, bCount, out, count in
        Compute.arithmetic(kind, a, aCount: aCount, b, bCount: bCount, out, count: count, isa: isa)
      }
    }
  }

  static func arithmeticLoop(_ kind: ArithmeticOp) -> ISALoop<Double> {
    { isa in
      { a, aCount, b, bCount, out, count in
        Compute.arithmetic(kind, a, aCount: aCount, b, bCount: bCount, out, count: count, isa: isa)
      }
    }
  }

  /// relu, its derivative step, sign, hard_tanh, abs, neg, sqrt and square: a choice, a sign bit
  /// or one IEEE operation per element, the scalar function's bits at the path's vector width
  /// (Compute.lanewise).
  static let lanewiseOps: [(Op, LanewiseOp)] = [
    (Op.relu, .relu), (Op.step, .step), (Op.sign, .sign), (Op.hardTanh, .hardTanh),
    (Op.abs, .abs), (Op.neg, .negate), (Op.sqrt, .squareRoot), (Op.square, .square),
  ]

  /// equal and prelu: a choice per element (and a product), the scalar function's bits.
  static let binaryLanewiseOps: [(Op, BinaryLanewiseOp)] = [
    (Op.equal, .equal), (Op.prelu, .prelu),
  ]

  static func binaryLanewiseLoop(_ kind: BinaryLanewiseOp) -> ISALoop<Float> {
    { isa in
      { a, aCount, b, bCount, out, count in
        Compute.lanewise(kind, a, aCount: aCount, b, bCount: bCount, out, count: count, isa: isa)
      }
    }
  }

  static func binaryLanewiseLoop(_ kind: BinaryLanewiseOp) -> ISALoop<Double> {
    { isa in
      { a, aCount, b, bCount, out, count in
        Compute.lanewise(kind, a, aCount: aCount, b, bCount: bCount, out, count: count, isa: isa)
      }
    }
  }

  // log1p, expm1, sin, cos and pow stay libm's (the derived loops). Their vector forms
  // (Compute.math, Compute.power; FFCKernels' VectorMath.swift) took less CPU time than libm in
  // f64 on the AVX2 path of the Zen 4 test machine, but more on its AVX-512 path for some
  // arguments, and more in f32 (README, "Vector log1p, expm1, sin, cos and pow").

  static func lanewiseLoop(_ kind: LanewiseOp) -> ISALoop<Float> {
    { isa in { x, _, _, _, out, count in Compute.lanewise(kind, x, out, count: count, isa: isa) } }
  }

  static func lanewiseLoop(_ kind: LanewiseOp) -> ISALoop<Double> {
    { isa in { x, _, _, _, out, count in Compute.lanewise(kind, x, out, count: count, isa: isa) } }
  }

  /// leaky_relu and its derivative leaky_step, with the node's slope: the scalar function's bits
  /// at the path's vector width.
  static let parametricLoops: [(Op, ElementwiseKernel)] = [
    (Op.leakyRelu, .init(.leakyRelu, Op.leakyRelu)),
    (Op.leakyStep, .init(.leakyStep, Op.leakyStep)),
  ]
}

extension ElementwiseKernel {
  /// The ISA module's loop for a parametric lane-wise op, its slope read from the node as the
  /// derived loop reads it, on the path current when the plan is built.
  init(_ kind: ParametricLanewiseOp, _ op: Op) {
    let function = op.scalarFunction
    self.init(
      float: { attributes in
        let (alpha, isa) = (Float(function?.parameter(attributes) ?? 0), Compute.isa)
        return { x, _, _, _, out, count in
          Compute.lanewise(kind, x, parameter: alpha, out, count: count, isa: isa)
        }
      },
      double: { attributes in
        let (alpha, isa) = (function?.parameter(attributes) ?? 0, Compute.isa)
        return { x, _, _, _, out, count in
          Compute.lanewise(kind, x, parameter: alpha, out, count: count, isa: isa)
        }
      })
  }
}
