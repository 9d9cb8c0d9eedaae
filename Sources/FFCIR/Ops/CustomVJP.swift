import FFCDiagnostics
import FFCTensor

/// A derivative a function states for itself (`derivative(g) = ...`, as `jax.custom_vjp`): the
/// backward expression as a small template graph over placeholders (the node's operands and the
/// incoming cotangent), which reverse mode builds anew at each use with the cotangent that
/// arrives. The nodes it builds are ordinary ops, so a second order differentiates them like any
/// others.
public struct CustomDerivative: Hashable, Sendable, CustomStringConvertible {
  /// What a step reads: an operand of the `custom_vjp` node (0 is the forward value, then the
  /// function's arguments, then the body's values the backward uses), the incoming cotangent, or
  /// an earlier step.
  public enum Reference: Hashable, Sendable {
    case operand(Int)
    case gradient
    case step(Int)
  }

  /// One node of the backward expression: an op applied to earlier references.
  public struct Step: Hashable, Sendable {
    public let op: Op
    public let inputs: [Reference]
    public let attributes: Attributes

    public init(op: Op, inputs: [Reference], attributes: Attributes) {
      self.op = op
      self.inputs = inputs
      self.attributes = attributes
    }

    public static func == (a: Step, b: Step) -> Bool {
      a.op === b.op && a.inputs == b.inputs && a.attributes == b.attributes
    }

    public func hash(into hasher: inout Hasher) {
      hasher.combine(ObjectIdentifier(op))
      hasher.combine(inputs)
      hasher.combine(attributes)
    }
  }

  /// The function that states the derivative.
  public let function: String
  public let steps: [Step]
  /// The cotangent of each of the function's arguments (operands 1...arguments), or nil: none
  /// flows to that argument.
  public let cotangents: [Reference?]
  /// Declared the true derivative (`derivative(g) exact = ...`): `ffc check` compares it with
  /// finite differences like any other.
  public let exact: Bool
  /// The line of the `derivative` clause (what `ffc check` names).
  public let line: Int

  public init(
    function: String, steps: [Step], cotangents: [Reference?], exact: Bool, line: Int
  ) {
    self.function = function
    self.steps = steps
    self.cotangents = cotangents
    self.exact = exact
    self.line = line
  }

  public var description: String { "\(function)(line \(line)\(exact ? ", exact" : ""))" }

  /// The identity backward of one argument (the op's test sample).
  static let identity = CustomDerivative(
    function: "identity", steps: [], cotangents: [.gradient], exact: true, line: 0)
}

extension Attributes {
  public var customDerivative: CustomDerivative? {
    if case .derivative(let d)? = self["derivative"] { return d }
    return nil
  }
}

extension Op {
  /// `custom_vjp(y, a1, ..., an, r1, ...)`: the value y (the function's forward expression), with
  /// the derivative its `derivative` clause states for the arguments `a`; `r` are values of the
  /// body the backward reads. Reverse mode builds the template with the incoming cotangent, each
  /// node tagged with the clause's line; no cotangent flows through y itself. Forward mode has no
  /// rule (as for `jax.custom_vjp`): `ForwardMode` reports the function by name, or, for a
  /// derivative declared exact, takes y's own tangent.
  public static let customVJP = Op(
    name: "custom_vjp", arity: Op.variadic, traits: .statedDerivative,
    inferShape: { shapes, attributes in
      guard let first = shapes.first, let derivative = attributes.customDerivative,
        shapes.count > derivative.cotangents.count
      else {
        throw ShapeError("'custom_vjp' needs its forward value, its arguments and a derivative")
      }
      return first
    },
    evaluate: { inputs, _, _ in inputs[0] },
    vjp: { c in
      guard let derivative = c.attributes.customDerivative else { return [] }
      let builder = c.builder
      var steps: [Value] = []
      steps.reserveCapacity(derivative.steps.count)
      func value(_ reference: CustomDerivative.Reference) -> Value {
        switch reference {
        case .operand(let index): c.inputs[index]
        case .gradient: c.g
        case .step(let index): steps[index]
        }
      }
      for step in derivative.steps {
        if step.op === Op.const, let tensor = step.attributes.tensor("value") {
          steps.append(builder.constant(tensor))
        } else {
          steps.append(builder.apply(step.op, step.inputs.map(value), step.attributes))
        }
      }
      var results: [Value?] = [nil]
      results += derivative.cotangents.map { $0.map(value) }
      results += [Value?](repeating: nil, count: c.inputs.count - results.count)
      return results
    },
    rewrites: [
      // Only for evaluation, as `stop_gradient(x) -> x`: simplifying rules run after every
      // derivative was built, when the value is all that is left of the op.
      RewriteRule(
        "custom_vjp(x, ...) -> x",
        example:
          "def ste(x) {\n  return sign(x)\n  derivative(g) = g\n}\nparam x[2] = [1, -2]\nloss L = sum(ste(x) * x)\n"
      ) { r in r.x }
    ],
    samples: [OpSample([[2, 3], [2, 3]], Attributes([("derivative", .derivative(.identity))]))],
    range: { r, _, _ in r[0] })
}
