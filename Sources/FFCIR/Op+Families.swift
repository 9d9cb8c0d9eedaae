import FFCTensor

// Constructors that fill in what a family of ops shares, so that one op is one short row.

extension Op {
  /// Shapes the elementwise gradient tests use for a unary op.
  static let unarySamples: [[[Int]]] = [[[]], [[3]], [[2, 3]]]

  /// An elementwise unary op: shape in = shape out, evaluated by `f` on every element.
  static func unary<F: UnaryFunction>(
    _ name: String, _ f: F.Type, traits: OpTraits = [],
    domain: SampleDomain = .any, spellings: [String]? = nil, vjp: VJPRule?,
    rewrites: [RewriteRule] = [], range: RangeRule? = nil,
    lint: LintRule? = nil, denseInitializer: Initializer? = nil
  ) -> Op {
    Op(
      name: name, arity: 1, traits: traits.union(.elementwise),
      inferShape: { shapes, _ in shapes[0] },
      evaluate: { inputs, _, _ in inputs[0].map { F.apply($0) } },
      vjp: vjp, jvp: vjp == nil ? nil : elementwiseJVP, rewrites: rewrites,
      call: CallSignature(spellings ?? [name], tensors: 1),
      samples: unarySamples.map { OpSample($0, domains: [domain]) },
      scalarFunction: .unary(F.self), range: range,
      lint: lint, denseInitializer: denseInitializer)
  }

  /// A unary op with one numeric option (`leaky_relu(x, alpha)`), evaluated by `f(x, option)`.
  static func unary<F: ParametricFunction>(
    _ name: String, option: CallOption, _ f: F.Type, traits: OpTraits = [],
    domain: SampleDomain = .any, vjp: VJPRule?, range: RangeRule? = nil,
    denseInitializer: Initializer? = nil
  ) -> Op {
    let key = option.name
    return Op(
      name: name, arity: 1, traits: traits.union(.elementwise),
      inferShape: { shapes, _ in shapes[0] },
      evaluate: { inputs, attributes, _ in
        let parameter = attributes.double(key, default: option.defaultValue ?? 0)
        return inputs[0].map { F.apply($0, parameter) }
      },
      vjp: vjp, jvp: vjp == nil ? nil : elementwiseJVP,
      call: CallSignature([name], tensors: 1, options: [option]) { options, _ in
        Attributes([(key, .double(options[key] ?? option.defaultValue ?? 0))])
      },
      samples: unarySamples.map {
        OpSample($0, Attributes([(key, .double(option.defaultValue ?? 0))]), domains: [domain])
      },
      scalarFunction: .parametric(F.self, key: key, defaultValue: option.defaultValue ?? 0),
      range: range,
      denseInitializer: denseInitializer)
  }

  /// An elementwise binary op. Operands have equal shapes, or one of them is a scalar.
  static func binary<F: BinaryFunction>(
    _ name: String, _ f: F.Type, traits: OpTraits = [],
    domains: [SampleDomain] = [.any, .any], spellings: [String]? = nil, vjp: VJPRule?,
    jvp: JVPRule? = nil, rewrites: [RewriteRule] = [], range: RangeRule? = nil,
    lint: LintRule? = nil, relatedRange: RelatedRangeRule? = nil, infix: InfixSpelling? = nil
  ) -> Op {
    Op(
      name: name, arity: 2, traits: traits.union(.elementwise),
      inferShape: { shapes, _ in try elementwiseShape(name, shapes[0], shapes[1]) },
      evaluate: { inputs, _, _ in inputs[0].zip(inputs[1]) { F.apply($0, $1) } },
      vjp: vjp, jvp: jvp, rewrites: rewrites,
      call: spellings.map { CallSignature($0, tensors: 2) } ?? CallSignature([name], tensors: 2),
      samples: [
        OpSample([[2, 3], [2, 3]], domains: domains),
        OpSample([[3], []], domains: domains),
        OpSample([[], [3]], domains: domains),
      ],
      scalarFunction: .binary(F.self), range: range,
      lint: lint, relatedRange: relatedRange, infix: infix)
  }

  static func elementwiseShape(_ name: String, _ a: Shape, _ b: Shape) throws -> Shape {
    if a == b || b.rank == 0 { return a }
    if a.rank == 0 { return b }
    throw ShapeError("'\(name)' got incompatible shapes \(a) and \(b)")
  }
}

extension VJPContext {
  /// The cotangent for an operand of an elementwise binary op: summed to a scalar when the operand
  /// was a scalar combined with a larger value.
  public func reduced(_ cotangent: Value, for input: Int) -> Value {
    inputs[input].rank == 0 && cotangent.rank > 0 ? cotangent.sum() : cotangent
  }
}
