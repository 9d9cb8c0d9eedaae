import Foundation
import FFCTensor

extension Op {
  public static let neg: Op = unary(
    "neg", { -$0 }, vjp: { c in [-c.g] },
    rewrites: [RewriteRule("-(-x) -> x") { r in r.x.op === Op.neg ? r.builder.value(r.x.node.inputs[0]) : nil }])
  public static let exp: Op = unary("exp", Foundation.exp, vjp: { c in [c.g * c.y] })
  public static let log: Op = unary("log", Foundation.log, domain: .positive, vjp: { c in [c.g / c.x] })
  public static let sqrt: Op = unary("sqrt", { $0.squareRoot() }, domain: .positive, vjp: { c in [c.g * 0.5 / c.y] })
  /// abs'(0) = 0.
  public static let abs: Op = unary("abs", { Swift.abs($0) }, domain: .awayFromKinks, vjp: { c in [c.g * c.x.apply(Op.sign)] })
  public static let square: Op = unary("square", { $0 * $0 }, vjp: { c in [c.g * (2 * c.x)] })
  public static let sin: Op = unary("sin", Foundation.sin, vjp: { c in [c.g * c.x.apply(Op.cos)] })
  public static let cos: Op = unary("cos", Foundation.cos, vjp: { c in [-(c.g * c.x.apply(Op.sin))] })
  public static let tanh: Op = unary(
    "tanh", Foundation.tanh, traits: .boundedOutput, vjp: { c in [c.g * (1 - c.y * c.y)] })
  public static let sigmoid: Op = unary(
    "sigmoid", sigmoidFunction, traits: .boundedOutput, vjp: { c in [c.g * (c.y * (1 - c.y))] })
  /// relu'(0) = 0: the derivative is read off the output, [y > 0].
  public static let relu: Op = unary("relu", { $0 > 0 ? $0 : 0 }, domain: .awayFromKinks, vjp: { c in [c.g * c.y.apply(Op.step)] })
  public static let leakyRelu: Op = unary(
    "leaky_relu", option: CallOption("alpha", default: 0.01), { $0 > 0 ? $0 : $0 * $1 },
    domain: .awayFromKinks,
    vjp: { c in
      let alpha = c.attributes.double("alpha")
      return [c.g * (alpha + (1 - alpha) * c.x.apply(Op.step))]
    })
  /// softplus(x) = log(1 + exp(x)), computed without overflow.
  public static let softplus: Op = unary("softplus", softplusFunction, vjp: { c in [c.g * c.x.apply(Op.sigmoid)] })
  /// hard_tanh'(x) = 1 on (-1, 1) and 0 elsewhere, including at ±1.
  public static let hardTanh: Op = unary(
    "hard_tanh", { Swift.min(1, Swift.max(-1, $0)) }, traits: .boundedOutput, domain: .awayFromKinks,
    vjp: { c in [c.g * (1 - c.x.apply(Op.abs)).apply(Op.step)] })
  /// The Heaviside step with step(0) = 0: relu's derivative. Its own derivative is zero.
  public static let step: Op = unary("step", { $0 > 0 ? 1 : 0 }, traits: .boundedOutput, domain: .awayFromKinks, vjp: { _ in [nil] })
  /// sign(0) = 0: abs's derivative. Its own derivative is zero.
  public static let sign: Op = unary(
    "sign", { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }, traits: .boundedOutput, domain: .awayFromKinks, vjp: { _ in [nil] })

  static let unaryOps: [Op] = [
    neg, exp, log, sqrt, abs, square, sin, cos, tanh, sigmoid, relu, leakyRelu, softplus, hardTanh,
    step, sign,
  ]
}

@Sendable func sigmoidFunction(_ x: Double) -> Double {
  x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x))
}

@Sendable func softplusFunction(_ x: Double) -> Double {
  Swift.max(x, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x)))
}
