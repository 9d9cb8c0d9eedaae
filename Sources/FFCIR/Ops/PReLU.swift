import FFCTensor

extension Op {
  /// prelu(x, a): x where x > 0, a·x elsewhere (slope a at 0, as leaky_relu), with a learned slope
  /// `a` that broadcasts against x (a scalar, or one slope per unit). Its derivative selects, as
  /// `where` does: g where x > 0 and a·g elsewhere for x; 0 where x > 0 and g·x elsewhere for a.
  public static let prelu: Op = binary(
    "prelu", PReLU.self, domains: [.awayFromKinks, .any],
    vjp: { c in
      let (x, a) = (c.inputs[0], c.inputs[1])
      let zero = c.builder.constant(0)
      return [
        c.reduced(c.builder.apply(Op.select, [x, c.g, a * c.g]), for: 0),
        c.reduced(c.builder.apply(Op.select, [x, zero, c.g * x]), for: 1),
      ]
    },
    jvp: { c in
      let (x, a) = (c.inputs[0], c.inputs[1])
      let zero = c.builder.constant(0)
      return c.sum(
        c.tangents[0].map { c.builder.apply(Op.select, [x, $0, a * $0]) },
        c.tangents[1].map { c.builder.apply(Op.select, [x, zero, x * $0]) })
    },
    range: { r, _, _ in
      // The positive part passes through; the negative part is scaled by the slope's range.
      let (x, a) = (r[0], r[1])
      let negative = ValueRange(Swift.min(x.lower, 0), Swift.min(x.upper, 0)) * a
      let positive = ValueRange(Swift.max(x.lower, 0), Swift.max(x.upper, 0))
      return ValueRange(
        Swift.min(negative.lower, positive.lower), Swift.max(negative.upper, positive.upper))
    })
}

enum PReLU: BinaryFunction {
  static func apply<T: KernelScalar>(_ x: T, _ a: T) -> T { x > 0 ? x : a * x }
}
