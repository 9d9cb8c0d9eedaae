import FFCDiagnostics
import FFCIR

extension Lowering {
  /// `jacobian(y, W)`: ∂y/∂W, of shape y.shape + W.shape (a scalar side adds no axes), by the
  /// cheaper mode: forward mode, one tangent per element of W along the basis direction e[j]
  /// (tangents named `dh/dW·e[j]`), when W has fewer elements than y; reverse mode, one
  /// cotangent per element of y (named `dy[i]/dh`), otherwise, and always when y depends on W
  /// through a function that states its derivative not declared exact (`custom_vjp`, which then
  /// has no forward mode).
  /// Both sizes must be known.
  mutating func lowerJacobian(
    _ node: ExpressionNode, _ arguments: [ExpressionNode.Argument], _ e: Expression,
    _ values: [NodeID?]
  ) -> NodeID? {
    guard
      takesPositional(
        arguments, 2,
        usage: "'jacobian' takes two arguments: jacobian(y, W), a value y and a named value W",
        at: node.range)
    else {
      return nil
    }
    guard let y = values[arguments[0].value],
      let w = variable(of: "jacobian", arguments[1], e, values)
    else { return nil }
    guard let ySizes = builder[y].shape.concrete, let wSizes = builder[w].shape.concrete else {
      diagnostics.add(
        .shapeError(
          "'jacobian' needs values of known size, but got \(builder[y].shape) and \(builder[w].shape)",
          at: node.range, focus: nil))
      return nil
    }
    let (outputs, directions) = (
      Shape(ySizes).elementCount ?? .max, Shape(wSizes).elementCount ?? .max
    )
    // One pass per element of the smaller side, each adding a constant of the other side's size
    // (forward mode's basis direction, reverse mode's spread row).
    let resultShape = Shape(ySizes + wSizes)
    if let reason = budget.refusal(
      passes: Swift.min(outputs, directions), nodes: builder.nodes.count,
      width: Swift.max(outputs, directions),
      result: DerivativeBudget.multiply(outputs, directions),
      resultShape: resultShape.description)
    {
      diagnostics.add(
        .derivativeTooLarge(
          "the Jacobian of a value of \(outputs) elements with respect to one of \(directions): \(reason)",
          at: node.range))
      return nil
    }
    let saved = builder.currentLocation
    defer { builder.currentLocation = saved }
    let nodes = builder.nodes
    let stated = zip(ReverseMode.nodesBetween([w], and: y, in: nodes), nodes).contains {
      $0 && $1.attributes.customDerivative.map { !$0.exact } == true
    }
    do throws(ReverseMode.Failure) {
      let matrix =
        directions < outputs && !stated
        ? try forwardJacobian(y, w, ySizes, wSizes, at: node.range)
        : try reverseJacobian(y, w, ySizes, wSizes, at: node.range)
      guard let result = wholeNode(matrix, of: "jacobian", at: node.range) else { return nil }
      derivativeSites.append(
        DerivativeSite(
          .jacobian, result: result, of: y, wrt: [w], text: "line \(node.range.start.line)",
          location: node.range))
      return result
    } catch {
      reportDerivativeFailure(error, at: node.range)
      return nil
    }
  }

  /// One tangent per element j of W, along the one-hot direction e[j], each spread over the
  /// axes of W and multiplied by e[j] spread over the axes of y.
  func forwardJacobian(
    _ y: NodeID, _ w: NodeID, _ ySizes: [Int], _ wSizes: [Int], at range: SourceRange
  ) throws(ReverseMode.Failure) -> Value {
    let count = wSizes.reduce(1, *)
    let full = Shape(ySizes + wSizes)
    var total: Value?
    for j in 0..<count {
      var basis = [Double](repeating: 0, count: count)
      basis[j] = 1
      let direction = builder.constantNode(Tensor(shape: wSizes, scalars: basis))
      guard
        let tangent = try ForwardMode.tangent(
          of: y, wrt: w, along: direction, directionName: "e[\(j)]", nodes: builder.nodes,
          builder)
      else { continue }
      builder.currentLocation = range
      var column = builder.value(tangent)
      if !wSizes.isEmpty {
        let spread = column.reshape(to: Shape(ySizes + wSizes.map { _ in 1 })).broadcast(to: full)
        let mask = builder.value(direction).reshape(to: Shape(ySizes.map { _ in 1 } + wSizes))
          .broadcast(to: full)
        column = spread * mask
      }
      total = total.map { $0 + column } ?? column
    }
    builder.currentLocation = range
    return total ?? builder.value(builder.filled(0, shape: full))
  }

  /// One cotangent per element i of y, placed at y's index i.
  func reverseJacobian(
    _ y: NodeID, _ w: NodeID, _ ySizes: [Int], _ wSizes: [Int], at range: SourceRange
  ) throws(ReverseMode.Failure) -> Value {
    let count = ySizes.reduce(1, *)
    let full = Shape(ySizes + wSizes)
    var total: Value?
    for i in 0..<count {
      let index = HessianRows.multiIndex(i, Shape(ySizes))
      var element = builder.value(y)
      if !index.isEmpty {
        element = element.apply(Op.index, Attributes([("indices", .ints(index))]))
      }
      let elementID: NodeID
      do throws(ShapeError) {
        elementID = try element.nodeID
      } catch {
        throw .illShapedRule(op: Op.index.name, message: error.message)
      }
      let name = "\(builder[y].name ?? "y")\(index.isEmpty ? "" : "\(index)")"
      let before = builder.count
      let cotangents = try ReverseMode.cotangents(
        of: elementID, named: name, wrt: [w], nodes: builder.nodes, builder)
      guard let row = cotangents[w.index] else { continue }
      // Named as reverse mode names a cotangent, so the printed graph shows the mode used.
      if row.index >= before, builder[row].name == nil {
        builder.rename(row, "d\(name)/d\(builder[w].name ?? "W")")
      }
      builder.currentLocation = range
      var placed = builder.value(row)
      if !index.isEmpty {
        placed = placed.apply(
          Op.embed, Attributes([("indices", .ints(index)), ("shape", .shape(full))]))
      }
      total = total.map { $0 + placed } ?? placed
    }
    builder.currentLocation = range
    return total ?? builder.value(builder.filled(0, shape: full))
  }
}
