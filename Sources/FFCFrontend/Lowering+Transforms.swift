import FFCDiagnostics
import FFCIR

extension Lowering {
  /// `hessian(f, v1, v2, ...)`: the Hessian of the scalar `f` with respect to the named values
  /// `v1, v2, ...`, θ their row-major elements concatenated in the order given: an [n, n] value
  /// whose row k is ∂(∂f/∂θ[k])/∂θ, built by reverse mode over reverse mode (`HessianRows`) and
  /// placed row by row.
  mutating func lowerHessian(
    _ node: ExpressionNode, _ arguments: [ExpressionNode.Argument], _ e: Expression,
    _ values: [NodeID?]
  ) -> NodeID? {
    guard
      takesPositional(
        arguments, 2, orMore: true,
        usage:
          "'hessian' takes a scalar and the values to differentiate with respect to: hessian(f, W1, b1)",
        at: node.range)
    else {
      return nil
    }
    guard let f = scalarArgument(of: "hessian", arguments[0], e, values) else { return nil }
    var variables: [HessianRows.Variable] = []
    for argument in arguments.dropFirst() {
      guard let x = variable(of: "hessian", argument, e, values) else { return nil }
      let site = e.nodes[argument.value]
      // θ holds each value once: a value listed twice would give a matrix that is no Hessian.
      if variables.contains(where: { $0.node == x }) {
        diagnostics.add(
          .badOption(
            "'hessian' lists '\(builder[x].name ?? "this value")' twice; list each value once",
            at: site.range))
        return nil
      }
      variables.append(
        .init(node: x, name: builder[x].name ?? "value", shape: builder[x].shape))
      guard builder[x].shape.elementCount != nil else {
        diagnostics.add(
          .shapeError(
            "'hessian' needs values of known size, but this one has shape \(builder[x].shape)",
            at: site.range, focus: nil))
        return nil
      }
    }
    let saved = builder.currentLocation
    defer { builder.currentLocation = saved }
    do throws(HessianRows.Failure) {
      let rows = try HessianRows.rows(
        of: f, named: builder[f].name ?? "f", wrt: variables, builder, budget: budget)
      builder.currentLocation = node.range
      let n = rows.count
      var matrix: Value?
      for (k, row) in rows.enumerated() {
        let placed = row.apply(
          Op.embed, Attributes([("indices", .ints([k])), ("shape", .shape(Shape([n, n])))]))
        matrix = matrix.map { $0 + placed } ?? placed
      }
      guard let matrix, let result = wholeNode(matrix, of: "hessian", at: node.range) else {
        return nil
      }
      derivativeSites.append(
        DerivativeSite(
          .hessian, result: result, of: f, wrt: variables.map(\.node),
          text: "line \(node.range.start.line)", location: node.range))
      return result
    } catch {
      switch error {
      case .unknownSize(let name):
        diagnostics.add(
          .shapeError(
            "'hessian' needs values of known size, but '\(name)' has none", at: node.range,
            focus: nil))
      case .overBudget(let names, let count, let reason):
        diagnostics.add(
          .derivativeTooLarge(
            "the Hessian over '\(names)' (\(count) elements): \(reason)", at: node.range))
      case .reverseMode(let failure): reportDerivativeFailure(failure, at: node.range)
      }
      return nil
    }
  }

  /// The node of a value a transformation built, or nil after reporting the shape error inside
  /// it (a bug in a rule: the transformations build only well-shaped values).
  mutating func wholeNode(_ value: Value, of callee: String, at range: SourceRange) -> NodeID? {
    do throws(ShapeError) {
      return try value.nodeID
    } catch {
      diagnostics.add(
        .shapeError(
          "internal: '\(callee)' built an ill-shaped value: \(error.message)", at: range,
          focus: nil))
      return nil
    }
  }

  /// The first argument of a transformation that differentiates a scalar, or nil after
  /// reporting that it is not one.
  mutating func scalarArgument(
    of callee: String, _ argument: ExpressionNode.Argument, _ e: Expression, _ values: [NodeID?]
  ) -> NodeID? {
    guard let f = values[argument.value] else { return nil }
    guard builder[f].shape.rank == 0 else {
      diagnostics.add(
        .shapeError(
          "'\(callee)' differentiates a scalar, but its first argument has shape \(builder[f].shape)",
          at: e.nodes[argument.value].range, focus: nil))
      return nil
    }
    return f
  }

  /// Reports why reverse mode could not build a derivative.
  mutating func reportDerivativeFailure(_ failure: ReverseMode.Failure, at range: SourceRange) {
    switch failure {
    case .notDifferentiable(let op, let location):
      diagnostics.add(.cannotDifferentiate(op, at: location ?? range))
    case .forwardThroughCustomDerivative(let function, let location):
      diagnostics.add(.forwardThroughCustomDerivative(function, at: range, clause: location))
    case .illShapedRule(let op, let message):
      diagnostics.add(
        .shapeError(
          "internal: the derivative rule of '\(op)' is ill-shaped: \(message)", at: range,
          focus: nil))
    }
  }
}

extension Lowering {
  /// `jvp(y, W, V)`: the forward-mode derivative of `y` (any shape) with respect to the named
  /// value `W` along the direction `V` (W's shape), built as tangent nodes beside the primal
  /// ones (`ForwardMode`); zeros of y's shape when y does not depend on W.
  mutating func lowerJVP(
    _ node: ExpressionNode, _ arguments: [ExpressionNode.Argument], _ e: Expression,
    _ values: [NodeID?]
  ) -> NodeID? {
    guard
      takesPositional(
        arguments, 3,
        usage:
          "'jvp' takes three arguments: jvp(y, W, V), a value y, a named value W and a direction V of W's shape",
        at: node.range)
    else {
      return nil
    }
    guard let y = values[arguments[0].value], let w = variable(of: "jvp", arguments[1], e, values),
      let v = values[arguments[2].value]
    else { return nil }
    guard builder[v].shape == builder[w].shape else {
      diagnostics.add(
        .shapeError(
          "the direction of 'jvp' must have the shape of \(builder[w].name.map { "'\($0)'" } ?? "its second argument"), \(builder[w].shape), but has shape \(builder[v].shape)",
          at: e.nodes[arguments[2].value].range, focus: nil))
      return nil
    }
    let saved = builder.currentLocation
    defer { builder.currentLocation = saved }
    do throws(ReverseMode.Failure) {
      let tangent = try ForwardMode.tangent(
        of: y, wrt: w, along: v, nodes: builder.nodes, builder)
      builder.currentLocation = node.range
      let result = tangent ?? builder.filled(0, shape: builder[y].shape)
      derivativeSites.append(
        DerivativeSite(
          .jvp, result: result, of: y, wrt: [w], direction: v,
          text: "line \(node.range.start.line)",
          location: node.range))
      return result
    } catch {
      reportDerivativeFailure(error, at: node.range)
      return nil
    }
  }
}
