import FFCDiagnostics
import FFCIR

extension Lowering {
  /// `grad(f, W)`: the gradient of the scalar `f` with respect to the input or parameter `W`, as
  /// ordinary nodes built by reverse mode right here, so a program can use it (a gradient-norm
  /// penalty, a Hessian-vector product `grad(sum(grad(L, W) * v), W)`) and Differentiate can
  /// differentiate through it again.
  mutating func lowerGrad(
    _ node: ExpressionNode, _ arguments: [ExpressionNode.Argument], _ e: Expression,
    _ values: [NodeID?]
  ) -> NodeID? {
    guard arguments.count == 2, arguments.allSatisfy({ $0.label == nil }) else {
      diagnostics.add(
        .badOption(
          "'grad' takes two arguments: grad(f, W), a scalar f and a declared input or parameter W",
          at: node.range))
      return nil
    }
    guard let f = values[arguments[0].value], let x = values[arguments[1].value] else { return nil }
    let variable = builder[x]
    guard variable.op.isLeaf, variable.op !== Op.const else {
      diagnostics.add(
        .badOption(
          "the second argument of 'grad' must name an input or a parameter",
          at: e.nodes[arguments[1].value].range))
      return nil
    }
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
      case .illShapedRule(let op, let message):
        diagnostics.add(
          .shapeError(
            "internal: the derivative rule of '\(op)' is ill-shaped: \(message)", at: node.range,
            focus: nil))
      }
      return nil
    }
  }
}
