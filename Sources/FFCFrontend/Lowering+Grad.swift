import FFCDiagnostics
import FFCIR

extension Lowering {
  /// `grad(f, v)`: the gradient of the scalar `f` with respect to `v`, any value, as ordinary
  /// nodes built by reverse mode right here, so a program can use it (a gradient-norm penalty, a
  /// Hessian-vector product `grad(sum(grad(L, W) * v), W)`) and Differentiate can differentiate
  /// through it again. A value that is not a leaf is taken as an independent input to the rest of
  /// the graph (what JAX gives for a value passed in as an argument): its cotangent is what
  /// reverse mode holds at its node, from the paths that leave it, before it flows on to the
  /// node's own operands. The gradient of f with respect to f is 1; of a value f does not use, 0.
  mutating func lowerGrad(
    _ node: ExpressionNode, _ arguments: [ExpressionNode.Argument], _ e: Expression,
    _ values: [NodeID?]
  ) -> NodeID? {
    guard
      takesPositional(
        arguments, 2, usage: "'grad' takes two arguments: grad(f, v), a scalar f and a value v",
        at: node.range)
    else {
      return nil
    }
    guard let f = values[arguments[0].value],
      let x = variable(of: "grad", arguments[1], e, values)
    else { return nil }
    let variable = builder[x]
    guard builder[f].shape.rank == 0 else {
      diagnostics.add(
        .shapeError(
          "'grad' differentiates a scalar, but its first argument has shape \(builder[f].shape)",
          at: e.nodes[arguments[0].value].range, focus: nil))
      return nil
    }
    let saved = builder.currentLocation
    defer { builder.currentLocation = saved }
    do {
      let cotangents = try ReverseMode.cotangents(
        of: f, named: builder[f].name ?? "f", wrt: [x], nodes: builder.nodes, builder)
      builder.currentLocation = node.range
      return cotangents[x.index] ?? builder.filled(0, shape: variable.shape)
    } catch {
      switch error {
      case .notDifferentiable(let op, let location):
        diagnostics.add(.cannotDifferentiate(op, at: location ?? node.range))
      case .forwardThroughCustomDerivative(let function, let location):
        diagnostics.add(.forwardThroughCustomDerivative(function, at: node.range, clause: location))
      case .illShapedRule(let op, let message):
        diagnostics.add(
          .shapeError(
            "internal: the derivative rule of '\(op)' is ill-shaped: \(message)", at: node.range,
            focus: nil))
      }
      return nil
    }
  }

  /// The value a transformation (`grad`, `jvp`, `jacobian`, `hessian`) differentiates with
  /// respect to: it must be written as a name (`W`, `h1`, `h1.W`), since an expression would be
  /// a new value nothing else reads, and must not be a constant, which the graph shares with
  /// every equal literal (the derivative would count their uses too).
  mutating func variable(
    of callee: String, _ argument: ExpressionNode.Argument, _ e: Expression, _ values: [NodeID?]
  ) -> NodeID? {
    let site = e.nodes[argument.value]
    switch site.kind {
    case .name, .member: break
    default:
      diagnostics.add(
        .badOption(
          "'\(callee)' differentiates with respect to a named value; give this expression a name first (v = ...)",
          at: site.range))
      return nil
    }
    guard let x = values[argument.value] else { return nil }
    guard builder[x].op !== Op.const else {
      diagnostics.add(
        .badOption(
          "'\(callee)' cannot differentiate with respect to a constant; declare it as an input with a default value",
          at: site.range))
      return nil
    }
    return x
  }
}
