import FFCTensor
import Foundation

extension Op {
  public static let neg: Op = unary(
    "neg", Negate.self, traits: .linear, vjp: { c in [-c.g] },
    rewrites: [
      RewriteRule("-(-x) -> x", example: "param x[2] = [1, 2]\nloss L = sum(-(-x))\n") { r in
        r.x.op === Op.neg ? r.builder.value(r.x.node.inputs[0]) : nil
      }
    ],
    range: { r, _, _ in -r[0] })
  public static let exp: Op = unary(
    "exp", Exp.self, vjp: { c in [c.g * c.y] }, range: increasing(Exp.self, excludesZero: true),
    lint: { r, _ in r[0].upper > largestExpArgument ? expOverflow : nil })
  public static let log: Op = unary(
    "log", Log.self, domain: .positive, vjp: { c in [c.g / c.x] }, rewrites: stableLogarithms,
    range: increasing(Log.self),
    lint: { r, _ in r[0].isPositive ? nil : logarithmOfZero })
  /// log(1 + x), accurate where x is tiny (log(1 + 1e-20) is 0 as written).
  public static let log1p: Op = unary(
    "log1p", Log1p.self, domain: .positive, vjp: { c in [c.g / (1 + c.x)] },
    range: increasing(Log1p.self, keepsZero: true),
    lint: { r, _ in (r[0] + ValueRange(1, 1)).isPositive ? nil : log1pOfMinusOne })
  /// exp(x) − 1, accurate where x is tiny.
  public static let expm1: Op = unary(
    "expm1", Expm1.self, vjp: { c in [c.g * (c.y + 1)] },
    range: increasing(Expm1.self, keepsZero: true))
  public static let sqrt: Op = unary(
    "sqrt", SquareRoot.self, domain: .positive, vjp: { c in [c.g * 0.5 / c.y] },
    range: { r, _, _ in
      ValueRange(Swift.max(r[0].lower, 0), Swift.max(r[0].upper, 0), excludesZero: r[0].isPositive)
        .through { $0.squareRoot() }
    },
    lint: { r, onPathToLoss in !r[0].isPositive && onPathToLoss ? squareRootOfZero : nil })
  /// abs'(0) = 0.
  public static let abs: Op = unary(
    "abs", Absolute.self, domain: .awayFromKinks, vjp: { c in [c.g * c.x.apply(Op.sign)] },
    range: { r, _, _ in magnitude(r[0]) })
  public static let square: Op = unary(
    "square", Square.self, vjp: { c in [c.g * (2 * c.x)] },
    range: { r, _, _ in magnitude(r[0]) * magnitude(r[0]) })
  public static let sin: Op = unary(
    "sin", Sine.self, vjp: { c in [c.g * c.x.apply(Op.cos)] }, range: { _, _, _ in .signs })
  public static let cos: Op = unary(
    "cos", Cosine.self, vjp: { c in [-(c.g * c.x.apply(Op.sin))] }, range: { _, _, _ in .signs })
  /// The runtime runs it in f32 with a vectorised rational approximation (Compute.tanh).
  public static let tanh: Op = unary(
    "tanh", Tanh.self, traits: .boundedOutput, vjp: { c in [c.g * (1 - c.y * c.y)] },
    range: increasing(Tanh.self, keepsZero: true))
  public static let sigmoid: Op = unary(
    "sigmoid", Sigmoid.self, traits: .boundedOutput, vjp: { c in [c.g * (c.y * (1 - c.y))] },
    range: increasing(Sigmoid.self, excludesZero: true))
  /// relu'(0) = 0: the derivative is read off the output, [y > 0].
  public static let relu: Op = unary(
    "relu", ReLU.self, domain: .awayFromKinks, vjp: { c in [c.g * c.y.apply(Op.step)] },
    range: increasing(ReLU.self),
    denseInitializer: .he)
  public static let leakyRelu: Op = unary(
    "leaky_relu", option: CallOption("alpha", default: 0.01), LeakyReLU.self,
    domain: .awayFromKinks,
    vjp: { c in
      [c.g * c.x.apply(Op.leakyStep, c.attributes)]
    },
    range: { r, _, attributes in
      // Not monotonic for a negative α (leaky_relu(x, -1) is |x|), so the kink at 0 is a
      // candidate bound too. A NaN at a bound is 0 · ∞ for α = 0, whose values there are 0.
      let alpha = attributes.double("alpha")
      var values = [r[0].lower, r[0].upper].map { LeakyReLU.apply($0, alpha) }.map {
        $0.isNaN ? 0 : $0
      }
      if r[0].lower < 0 && r[0].upper > 0 { values.append(0) }
      return ValueRange(
        values.min() ?? 0, values.max() ?? 0, excludesZero: alpha != 0 && r[0].excludesZero)
    },
    denseInitializer: .he)
  /// leaky_relu's derivative: 1 where x > 0, else α (α at 0). Its own derivative is zero.
  public static let leakyStep: Op = unary(
    "leaky_step", option: CallOption("alpha", default: 0.01), LeakyStep.self,
    traits: .boundedOutput,
    domain: .awayFromKinks, vjp: { _ in [nil] },
    range: { _, _, attributes in
      let alpha = attributes.double("alpha")
      return ValueRange(Swift.min(alpha, 1), Swift.max(alpha, 1))
    })
  /// softplus(x) = log(1 + exp(x)), computed without overflow.
  public static let softplus: Op = unary(
    "softplus", Softplus.self, vjp: { c in [c.g * c.x.apply(Op.sigmoid)] },
    range: increasing(Softplus.self, excludesZero: true))
  /// hard_tanh'(x) = 1 on (-1, 1) and 0 elsewhere, including at ±1.
  public static let hardTanh: Op = unary(
    "hard_tanh", HardTanh.self, traits: .boundedOutput, domain: .awayFromKinks,
    vjp: { c in [c.g * (1 - c.x.apply(Op.abs)).apply(Op.step)] },
    range: increasing(HardTanh.self, keepsZero: true))
  /// The Heaviside step with step(0) = 0: relu's derivative. Its own derivative is zero.
  public static let step: Op = unary(
    "step", Step.self, traits: .boundedOutput, domain: .awayFromKinks, vjp: { _ in [nil] },
    range: increasing(Step.self))
  /// sign(0) = 0: abs's derivative. Its own derivative is zero.
  public static let sign: Op = unary(
    "sign", Sign.self, traits: .boundedOutput, domain: .awayFromKinks, vjp: { _ in [nil] },
    range: increasing(Sign.self, keepsZero: true))

  /// log(Float.greatestFiniteMagnitude): exp of anything larger is inf in f32.
  static let largestExpArgument = 88.72

  // The lint's warnings about the ops of this file.
  static let logarithmOfZero = LintWarning(
    "lint.log",
    "the logarithm of a value that can be 0 or negative gives -inf or NaN, and its gradient divides by it"
  )
  // log(1 + x) is log1p(x) by the time the lint runs (Stabilize ran first), so its argument is 1 + x.
  static let log1pOfMinusOne = LintWarning(
    "lint.log",
    "log1p of a value that can be -1 or less gives -inf or NaN, and its gradient divides by 1 + x"
  )
  static let squareRootOfZero = LintWarning(
    "lint.sqrt",
    "the square root of a value that can be 0 has an infinite derivative there; the gradient becomes inf or NaN"
  )
  static let expOverflow = LintWarning(
    "lint.exp",
    "exp of a value that can exceed 88.7 overflows to inf in f32 (and its gradient with it); subtract the maximum first, or use softmax, log_softmax, softplus or sigmoid"
  )

  /// The range rule of a non-decreasing function: the function's own scalar form at the bounds.
  static func increasing<F: UnaryFunction>(
    _: F.Type, keepsZero: Bool = false, excludesZero: Bool = false
  ) -> RangeRule {
    { r, _, _ in r[0].through({ F.apply($0) }, keepsZero: keepsZero, excludesZero: excludesZero) }
  }

  /// The range of |x|.
  static func magnitude(_ x: ValueRange) -> ValueRange {
    let straddles = x.lower < 0 && x.upper > 0
    let low = straddles ? 0 : Swift.min(Swift.abs(x.lower), Swift.abs(x.upper))
    return ValueRange(
      low, Swift.max(Swift.abs(x.lower), Swift.abs(x.upper)), excludesZero: x.excludesZero)
  }

  /// The stable forms of logarithms that overflow or lose precision as written: applied to the
  /// forward graph before it is differentiated, so no gradient divides by a softmax or a sigmoid.
  static let stableLogarithms: [RewriteRule] = [
    RewriteRule(
      "log(softmax(z)) -> log_softmax(z)", phase: .stabilize,
      example: "param z[3] = [1, 2, 3]\nloss L = -log(softmax(z))[1]\n"
    ) { r in
      r.x.op === Op.softmax
        ? r.builder.value(r.x.node.inputs[0]).apply(Op.logSoftmax, r.x.node.attributes) : nil
    },
    RewriteRule(
      "log(1 + exp(x)) -> softplus(x)", phase: .stabilize,
      example: "param x[2] = [1, 2]\nloss L = sum(log(1 + exp(x)))\n"
    ) { r in
      guard r.x.op === Op.add else { return nil }
      let (a, b) = (r.builder.value(r.x.node.inputs[0]), r.builder.value(r.x.node.inputs[1]))
      if a.isConstant(1), b.op === Op.exp, b.shape == r.node.shape {
        return r.builder.value(b.node.inputs[0]).apply(Op.softplus)
      }
      if b.isConstant(1), a.op === Op.exp, a.shape == r.node.shape {
        return r.builder.value(a.node.inputs[0]).apply(Op.softplus)
      }
      return nil
    },
    // After the softplus rule, which is the more specific form of log(1 + exp(x)).
    RewriteRule(
      "log(1 + x) -> log1p(x)", phase: .stabilize,
      example: "param x[2] = [1, 2]\nloss L = sum(log(1 + x * x))\n"
    ) { r in
      guard r.x.op === Op.add else { return nil }
      let (a, b) = (r.builder.value(r.x.node.inputs[0]), r.builder.value(r.x.node.inputs[1]))
      if a.isConstant(1), b.shape == r.node.shape { return b.apply(Op.log1p) }
      if b.isConstant(1), a.shape == r.node.shape { return a.apply(Op.log1p) }
      return nil
    },
    RewriteRule(
      "log(sigmoid(x)) -> -softplus(-x)", phase: .stabilize,
      example: "param x[2] = [1, 2]\nloss L = sum(log(sigmoid(x)))\n"
    ) { r in
      r.x.op === Op.sigmoid ? -(-r.builder.value(r.x.node.inputs[0])).apply(Op.softplus) : nil
    },
    RewriteRule(
      "log(1 - sigmoid(x)) -> -softplus(x)", phase: .stabilize,
      example: "param x[2] = [1, 2]\nloss L = sum(log(1 - sigmoid(x)))\n"
    ) { r in
      guard r.x.op === Op.sub else { return nil }
      let (a, b) = (r.builder.value(r.x.node.inputs[0]), r.builder.value(r.x.node.inputs[1]))
      guard a.isConstant(1), b.op === Op.sigmoid, b.shape == r.node.shape else { return nil }
      return -r.builder.value(b.node.inputs[0]).apply(Op.softplus)
    },
  ]

  static let unaryOps: [Op] = [
    neg, exp, log, log1p, expm1, sqrt, abs, square, sin, cos, tanh, sigmoid, relu, leakyRelu,
    softplus, hardTanh,
    leakyStep, step, sign,
  ]
}

// The scalar functions, once for the reference evaluation and both kernel precisions.
enum Negate: UnaryFunction { static func apply<T: KernelScalar>(_ x: T) -> T { -x } }
enum LeakyStep: ParametricFunction {
  static func apply<T: KernelScalar>(_ x: T, _ alpha: T) -> T { x > 0 ? 1 : alpha }
}
enum Exp: UnaryFunction { static func apply<T: KernelScalar>(_ x: T) -> T { T.exp(x) } }
enum Log: UnaryFunction { static func apply<T: KernelScalar>(_ x: T) -> T { T.log(x) } }
enum Log1p: UnaryFunction { static func apply<T: KernelScalar>(_ x: T) -> T { T.log1p(x) } }
enum Expm1: UnaryFunction { static func apply<T: KernelScalar>(_ x: T) -> T { T.expm1(x) } }
enum SquareRoot: UnaryFunction {
  static func apply<T: KernelScalar>(_ x: T) -> T { x.squareRoot() }
}
enum Absolute: UnaryFunction { static func apply<T: KernelScalar>(_ x: T) -> T { Swift.abs(x) } }
enum Square: UnaryFunction { static func apply<T: KernelScalar>(_ x: T) -> T { x * x } }
enum Sine: UnaryFunction { static func apply<T: KernelScalar>(_ x: T) -> T { T.sin(x) } }
enum Cosine: UnaryFunction { static func apply<T: KernelScalar>(_ x: T) -> T { T.cos(x) } }
enum Tanh: UnaryFunction { static func apply<T: KernelScalar>(_ x: T) -> T { T.tanh(x) } }
enum ReLU: UnaryFunction { static func apply<T: KernelScalar>(_ x: T) -> T { x > 0 ? x : 0 } }
enum HardTanh: UnaryFunction {
  static func apply<T: KernelScalar>(_ x: T) -> T { Swift.min(1, Swift.max(-1, x)) }
}
enum Step: UnaryFunction { static func apply<T: KernelScalar>(_ x: T) -> T { x > 0 ? 1 : 0 } }
enum Sign: UnaryFunction {
  static func apply<T: KernelScalar>(_ x: T) -> T { x > 0 ? 1 : (x < 0 ? -1 : 0) }
}
enum LeakyReLU: ParametricFunction {
  static func apply<T: KernelScalar>(_ x: T, _ alpha: T) -> T { x > 0 ? x : x * alpha }
}

/// 1 / (1 + e^-x), without overflow for large |x|.
enum Sigmoid: UnaryFunction {
  static func apply<T: KernelScalar>(_ x: T) -> T {
    x >= 0 ? 1 / (1 + T.exp(-x)) : T.exp(x) / (1 + T.exp(x))
  }
}

/// softplus(x) = log(1 + exp(x)), computed without overflow.
enum Softplus: UnaryFunction {
  static func apply<T: KernelScalar>(_ x: T) -> T {
    Swift.max(x, 0) + T.log1p(T.exp(-Swift.abs(x)))
  }
}
