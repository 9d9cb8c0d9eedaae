import FFCTensor
import Foundation

extension Op {
  public static let add: Op = binary(
    "add", Add.self, traits: .commutative,
    vjp: { c in [c.reduced(c.g, for: 0), c.reduced(c.g, for: 1)] },
    jvp: { c in c.sum(c.tangents[0], c.tangents[1]) },
    rewrites: additionRules, range: { r, _, _ in r[0] + r[1] },
    infix: InfixSpelling(["+"], precedence: 1))
  public static let sub: Op = binary(
    "sub", Subtract.self,
    vjp: { c in [c.reduced(c.g, for: 0), c.reduced(-c.g, for: 1)] },
    jvp: { c in c.sum(c.tangents[0], c.tangents[1].map { -$0 }) },
    rewrites: subtractionRules, range: { r, _, _ in r[0] + -r[1] },
    relatedRange: shiftByTheMaximum, infix: InfixSpelling(["-"], precedence: 1))
  public static let mul: Op = binary(
    "mul", Multiply.self, traits: .commutative,
    vjp: { c in [c.reduced(c.g * c.inputs[1], for: 0), c.reduced(c.g * c.inputs[0], for: 1)] },
    jvp: { c in
      c.sum(c.tangents[0].map { $0 * c.inputs[1] }, c.tangents[1].map { c.inputs[0] * $0 })
    },
    rewrites: multiplicationRules, range: { r, _, _ in r[0] * r[1] },
    relatedRange: productOfAValueWithItself, infix: InfixSpelling(["*"], precedence: 2))
  public static let div: Op = binary(
    "div", Divide.self, domains: [.any, .awayFromKinks],
    vjp: { c in
      [c.reduced(c.g / c.inputs[1], for: 0), c.reduced(-(c.g * c.y / c.inputs[1]), for: 1)]
    },
    jvp: { c in
      c.sum(c.tangents[0].map { $0 / c.inputs[1] }, c.tangents[1].map { -($0 * c.y / c.inputs[1]) })
    },
    rewrites: [
      RewriteRule("x/1 -> x", example: "param x[2] = [1, 2]\nloss L = sum(x / 1)\n") { r in
        r.inputs[1].isConstant(1) ? r.keeping(r.inputs[0]) : nil
      }
    ],
    range: { r, _, _ in r[0] * r[1].reciprocal },
    lint: { r, _ in r[1].canBeZero ? divisionByZero : nil },
    infix: InfixSpelling(["/"], precedence: 2))
  public static let pow: Op = binary(
    "pow", Power.self, domains: [.positive, .any],
    vjp: { c in
      let (x, p) = (c.inputs[0], c.inputs[1])
      return [
        c.reduced(c.g * p * c.builder.apply(Op.pow, [x, p - 1]), for: 0),
        c.reduced(c.g * c.y * x.apply(Op.log), for: 1),
      ]
    },
    jvp: { c in
      let (x, p) = (c.inputs[0], c.inputs[1])
      return c.sum(
        c.tangents[0].map { $0 * p * c.builder.apply(Op.pow, [x, p - 1]) },
        c.tangents[1].map { $0 * c.y * x.apply(Op.log) })
    },
    rewrites: [
      RewriteRule(
        "x^1 -> x",
        example: "param x[2] = [1, 2]\nloss L = sum(x^1)\n"
      ) { r in r.inputs[1].isConstant(1) ? r.keeping(r.inputs[0]) : nil },
      // pow(x, 0) is 1 for every x, NaN and infinities included (IEEE 754).
      RewriteRule("x^0 -> 1", example: "param x[2] = [1, 2]\nloss L = sum(x^0 + x)\n") { r in
        r.inputs[1].isConstant(0) ? r.builder.constant(1).broadcast(to: r.node.shape) : nil
      },
      RewriteRule(
        "x^2 -> square(x)",
        example: "param x[2] = [1, 2]\nloss L = sum(x^2)\n"
      ) { r in
        // The exponent may be the larger operand (s ** [2, 2, 2]): the square is broadcast back.
        r.inputs[1].isConstant(2) ? r.keeping(r.inputs[0].apply(Op.square)) : nil
      },
    ],
    range: { r, _, _ in powerRange(r[0], r[1]) },
    infix: InfixSpelling(["**", "^"], precedence: 4, rightAssociative: true))
  /// 1 where a == b, else 0: the mask in max's derivative. Not differentiable in its operands.
  public static let equal: Op = binary(
    "equal", Equal.self, traits: [.commutative, .boundedOutput], vjp: { _ in [nil, nil] },
    jvp: { _ in nil },
    range: { _, _, _ in .unit })

  static let divisionByZero = LintWarning(
    "lint.division",
    "a division by a value that can be 0 gives inf or NaN, in the value and in its gradient")

  /// x^p: known for a positive x, or for an even whole power p > 0 of any x.
  static func powerRange(_ x: ValueRange, _ p: ValueRange) -> ValueRange {
    guard p.lower == p.upper else { return x.isPositive ? .positive : .unknown }
    let e = p.lower
    if e > 0, e == e.rounded(), e.truncatingRemainder(dividingBy: 2) == 0 {
      return magnitude(x).through({ Foundation.pow($0, e) }, keepsZero: true)
    }
    guard x.isPositive else { return .unknown }
    let (a, b) = (Foundation.pow(x.lower, e), Foundation.pow(x.upper, e))
    return ValueRange(Swift.min(a, b), Swift.max(a, b), excludesZero: true)
  }

  static let binaryOps: [Op] = [add, sub, mul, div, pow, equal, prelu]
}

enum Add: BinaryFunction { static func apply<T: KernelScalar>(_ x: T, _ y: T) -> T { x + y } }
enum Subtract: BinaryFunction { static func apply<T: KernelScalar>(_ x: T, _ y: T) -> T { x - y } }
enum Multiply: BinaryFunction { static func apply<T: KernelScalar>(_ x: T, _ y: T) -> T { x * y } }
enum Divide: BinaryFunction { static func apply<T: KernelScalar>(_ x: T, _ y: T) -> T { x / y } }
enum Power: BinaryFunction {
  static func apply<T: KernelScalar>(_ x: T, _ y: T) -> T { T.pow(x, y) }
}
enum Equal: BinaryFunction {
  static func apply<T: KernelScalar>(_ x: T, _ y: T) -> T { x == y ? 1 : 0 }
}
