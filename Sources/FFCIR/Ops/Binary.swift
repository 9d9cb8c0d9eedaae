import Foundation
import FFCTensor

extension Op {
  public static let add: Op = binary(
    "add", Add.self, traits: .commutative,
    vjp: { c in [c.reduced(c.g, for: 0), c.reduced(c.g, for: 1)] },
    rewrites: [
      RewriteRule("x+0 -> x") { r in r.inputs[1].isConstant(0) ? r.keeping(r.inputs[0]) : nil },
      RewriteRule("0+x -> x") { r in r.inputs[0].isConstant(0) ? r.keeping(r.inputs[1]) : nil },
    ])
  public static let sub: Op = binary(
    "sub", Subtract.self,
    vjp: { c in [c.reduced(c.g, for: 0), c.reduced(-c.g, for: 1)] },
    rewrites: [
      RewriteRule("x-0 -> x") { r in r.inputs[1].isConstant(0) ? r.keeping(r.inputs[0]) : nil },
      RewriteRule("0-x -> -x") { r in
        r.inputs[0].isConstant(0) && r.inputs[1].shape == r.node.shape ? -r.inputs[1] : nil
      },
    ])
  public static let mul: Op = binary(
    "mul", Multiply.self, traits: .commutative,
    vjp: { c in [c.reduced(c.g * c.inputs[1], for: 0), c.reduced(c.g * c.inputs[0], for: 1)] },
    rewrites: [
      RewriteRule("x*1 -> x") { r in r.inputs[1].isConstant(1) ? r.keeping(r.inputs[0]) : nil },
      RewriteRule("1*x -> x") { r in r.inputs[0].isConstant(1) ? r.keeping(r.inputs[1]) : nil },
      RewriteRule("x*-1 -> -x") { r in
        r.inputs[1].isConstant(-1) && r.inputs[0].shape == r.node.shape ? -r.inputs[0] : nil
      },
      // Only where x is known finite: 0 * inf and 0 * nan are nan, and folding would hide them.
      RewriteRule("x*0 -> 0") { r in
        let (a, b) = (r.inputs[0], r.inputs[1])
        guard (b.isConstant(0) && a.isKnownFinite) || (a.isConstant(0) && b.isKnownFinite) else { return nil }
        return r.builder.constant(0).broadcast(to: r.node.shape)
      },
    ])
  public static let div: Op = binary(
    "div", Divide.self, domains: [.any, .awayFromKinks],
    vjp: { c in [c.reduced(c.g / c.inputs[1], for: 0), c.reduced(-(c.g * c.y / c.inputs[1]), for: 1)] },
    rewrites: [RewriteRule("x/1 -> x") { r in r.inputs[1].isConstant(1) ? r.keeping(r.inputs[0]) : nil }])
  public static let pow: Op = binary(
    "pow", Power.self, domains: [.positive, .any],
    vjp: { c in
      let (x, p) = (c.inputs[0], c.inputs[1])
      return [
        c.reduced(c.g * p * c.builder.apply(Op.pow, [x, p - 1]), for: 0),
        c.reduced(c.g * c.y * x.apply(Op.log), for: 1),
      ]
    },
    rewrites: [
      RewriteRule("x^1 -> x") { r in r.inputs[1].isConstant(1) ? r.keeping(r.inputs[0]) : nil },
      // pow(x, 0) is 1 for every x, NaN and infinities included (IEEE 754).
      RewriteRule("x^0 -> 1") { r in
        r.inputs[1].isConstant(0) ? r.builder.constant(1).broadcast(to: r.node.shape) : nil
      },
      RewriteRule("x^2 -> square(x)") { r in r.inputs[1].isConstant(2) ? r.inputs[0].apply(Op.square) : nil },
    ])
  /// 1 where a == b, else 0: the mask in max's derivative. Not differentiable in its operands.
  public static let equal: Op = binary(
    "equal", Equal.self, traits: [.commutative, .boundedOutput], vjp: { _ in [nil, nil] })

  static let binaryOps: [Op] = [add, sub, mul, div, pow, equal]
}

extension RewriteContext {
  /// The operand itself as the replacement, when it already has the node's shape (a scalar
  /// operand standing for a larger result is broadcast back).
  func keeping(_ operand: Value) -> Value {
    operand.shape == node.shape ? operand : operand.broadcast(to: node.shape)
  }
}

enum Add: BinaryFunction { static func apply<T: KernelScalar>(_ x: T, _ y: T) -> T { x + y } }
enum Subtract: BinaryFunction { static func apply<T: KernelScalar>(_ x: T, _ y: T) -> T { x - y } }
enum Multiply: BinaryFunction { static func apply<T: KernelScalar>(_ x: T, _ y: T) -> T { x * y } }
enum Divide: BinaryFunction { static func apply<T: KernelScalar>(_ x: T, _ y: T) -> T { x / y } }
enum Power: BinaryFunction { static func apply<T: KernelScalar>(_ x: T, _ y: T) -> T { T.pow(x, y) } }
enum Equal: BinaryFunction { static func apply<T: KernelScalar>(_ x: T, _ y: T) -> T { x == y ? 1 : 0 } }
