import FFCTensor

extension Op {
  /// `stop_gradient(x)`: the value of x, with a derivative declared zero in every order and in
  /// both modes (target networks, straight-through estimators). Reverse mode sends no cotangent
  /// through it, so a derivative built from a graph that holds it never sees past it. Finite
  /// differences do see past it, which is why the op carries `.stopsDerivative` and the gradient
  /// property tests leave it out.
  public static let stopGradient: Op = unary(
    "stop_gradient", Identity.self, traits: .stopsDerivative, vjp: { _ in [nil] },
    rewrites: [
      // Only for evaluation: simplifying rules run after Differentiate (and after the
      // Hessian-vector products), when no derivative will be built from this graph again, so the
      // value is all that is left of the op. The forward graph a later derivative is built from
      // (`--hessian`, `grad(` in the program) still holds it.
      RewriteRule(
        "stop_gradient(x) -> x",
        example: "param x[2] = [1, 2]\nloss L = sum(stop_gradient(x) * x)\n"
      ) { r in r.x }
    ],
    range: { r, _, _ in r[0] })

  static let derivativeOps: [Op] = [stopGradient, customVJP]
}

enum Identity: UnaryFunction { static func apply<T: KernelScalar>(_ x: T) -> T { x } }
