import FFCDiagnostics
import FFCIR

extension Lowering {
  /// The functions the language spells itself rather than through an op's `CallSignature`, whose
  /// arguments are not all values: `dense`, the transforms (`grad`, `hessian`, `jvp`,
  /// `jacobian`), `reshape` (its shape list) and `maxout` (its k).
  static let specialForms = [
    "dense", "grad", "hessian", "jvp", "jacobian", "reshape", "maxout", "repeat",
  ]

  /// How many leading arguments of a call are values (lowered to nodes); the rest are read as
  /// literals by the call itself.
  static func valueArgumentCount(_ callee: String) -> Int {
    switch callee {
    case "dense", "reshape", "maxout": 1
    default: OpRegistry.callableOp(callee)?.call?.tensorCount ?? Int.max
    }
  }

  /// `reshape(x, [d1, d2, ...])`: x's elements in row-major order under a new shape, numpy's
  /// reshape. A size is a whole number, a symbol such as the batch `N`, or one `-1` inferred
  /// from the others.
  mutating func lowerReshape(
    _ node: ExpressionNode, _ arguments: [ExpressionNode.Argument], _ e: Expression,
    _ values: [NodeID?]
  ) -> NodeID? {
    guard
      takesPositional(
        arguments, 2,
        usage:
          "'reshape' takes two arguments: reshape(x, [d1, d2, ...]), a value and its new shape",
        at: node.range)
    else {
      return nil
    }
    guard let x = values[arguments[0].value] else { return nil }
    guard let requested = shapeList(e, arguments[1].value) else { return nil }
    return emit(node) { builder in
      let target = try ReshapeRule.resolve(requested, from: builder[x].shape)
      return try builder.emit(Op.reshape, [x], Attributes([("shape", .shape(target))]))
    }
  }

  /// `[2, N, -1]`: each size a positive whole number, a symbol, or -1 (nil).
  private mutating func shapeList(_ e: Expression, _ index: Int) -> [Dim?]? {
    let list = e.nodes[index]
    let elements: [Int]
    switch list.kind {
    case .list(let items): elements = items
    case .numberList(let shape, let scalars) where shape.count == 1:
      return checkedSizes(scalars, at: list.range)
    default:
      diagnostics.add(
        .badOption(
          "the shape of 'reshape' must be a list of sizes such as [N, 4, 3]", at: list.range))
      return nil
    }
    var dims: [Dim?] = []
    for element in elements {
      if case .name(let symbol) = e.nodes[element].kind {
        dims.append(.symbol(symbol))
      } else if let number = evaluateNumber(e, element),
        let size = checkedSizes([number], at: e.nodes[element].range)
      {
        dims += size
      } else {
        if evaluateNumber(e, element) == nil {
          diagnostics.add(
            .badOption(
              "a size in the shape of 'reshape' is a whole number, a symbol such as N, or -1",
              at: e.nodes[element].range))
        }
        return nil
      }
    }
    return dims
  }

  private mutating func checkedSizes(_ numbers: [Double], at range: SourceRange) -> [Dim?]? {
    var dims: [Dim?] = []
    for number in numbers {
      if number == -1 {
        dims.append(nil)
        continue
      }
      guard number >= 1, number == number.rounded(), number < 1e9 else {
        diagnostics.add(
          .badOption(
            "a size in the shape of 'reshape' is a positive whole number, a symbol such as N, or -1; got \(TensorFormat.number(number))",
            at: range))
        return nil
      }
      dims.append(.fixed(Int(number)))
    }
    return dims
  }
}
