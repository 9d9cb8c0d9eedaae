import FFCDiagnostics
import FFCIR

extension Lowering {
  /// Lowers an expression with one loop over its postorder nodes. A node whose operand failed is
  /// skipped silently: the first error is the one reported.
  /// `root`: a value argument of the call at the expression's root, lowered alone (`dense`'s
  /// input); never an option's subtree.
  mutating func lowerExpression(_ expression: Expression, root: Int? = nil) -> NodeID? {
    let rootIndex = root ?? expression.root
    if expression.nodes[rootIndex].subtreeStart == rootIndex {
      // One node, a name or a number (`dense(h, ...)`): no call in it has options to skip, and
      // no operand to read.
      let node = expression.nodes[rootIndex]
      builder.currentLocation = node.range
      return lowerNode(rootIndex, node, expression, [])
    }
    let skipped = optionArguments(expression)
    var values = [NodeID?](repeating: nil, count: expression.nodes.count)
    for index in expression.nodes[rootIndex].subtreeStart...rootIndex where !skipped[index] {
      let node = expression.nodes[index]
      builder.currentLocation = node.range
      values[index] = lowerNode(index, node, expression, values)
    }
    return values[rootIndex]
  }

  /// Marks the subtrees of numeric call options (`axis=0`, `alpha`), which are read as literals
  /// by their call rather than lowered to graph nodes.
  func optionArguments(_ expression: Expression) -> [Bool] {
    var skipped = [Bool](repeating: false, count: expression.nodes.count)
    for node in expression.nodes {
      guard case .call(let callee, let arguments) = node.kind else { continue }
      skipped[node.subtreeStart] = true  // the callee's name is not a value
      if callee == "repeat" {
        // The count and the function's name are read as they are, not lowered.
        for argument in arguments.prefix(2) {
          for i in expression.nodes[argument.value].subtreeStart...argument.value {
            skipped[i] = true
          }
        }
        continue
      }
      if functions[callee] != nil { continue }
      let tensorCount = Self.valueArgumentCount(callee)
      for (position, argument) in arguments.enumerated()
      where argument.label != nil || position >= tensorCount {
        for i in expression.nodes[argument.value].subtreeStart...argument.value {
          skipped[i] = true
        }
      }
    }
    return skipped
  }

  private mutating func lowerNode(
    _ index: Int, _ node: ExpressionNode, _ e: Expression, _ values: [NodeID?]
  ) -> NodeID? {
    switch node.kind {
    case .number(let x):
      return builder.constantNode(Tensor(x))
    case .name(let name):
      // The scope first: a name in scope (nearly every one) needs no other look-up.
      if scope[name] == nil,
        OpRegistry.callableOp(name) != nil || Self.specialForms.contains(name)
          || functions[name] != nil
      {
        diagnostics.add(.functionAsValue(name, at: node.range))
        return nil
      }
      return lookUp(name, at: node.range)
    case .member(let base, let member):
      return lowerMember(node, e.nodes[base], values[base], member, e)
    case .unary(let op, let operand):
      guard let x = values[operand] else { return nil }
      return op == "-" ? emit(node, { try $0.emit(Op.neg, [x]) }) : x
    case .binary(let op, let lhs, let rhs):
      guard let a = values[lhs], let b = values[rhs] else { return nil }
      guard let infix = OpRegistry.infixOp(op)?.op else { return nil }  // the parser checked it
      return emit(node) { builder in
        infix.isElementwise
          ? try builder.elementwise(infix, a, b) : try builder.emit(infix, [a, b])
      }
    case .string:
      diagnostics.add(
        .loadUsage("a string is only a file or tensor name in 'load'", at: node.range))
      return nil
    case .call(let callee, let arguments):
      if callee == "load" {
        diagnostics.add(
          .loadUsage(
            "'load' gives a parameter its starting value, in its declaration", at: node.range))
        return nil
      }
      if callee == "dense" {
        diagnostics.add(.denseNotAssigned(at: node.range))
        return nil
      }
      return lowerCall(node, callee, arguments, e, values)
    case .index(let base, let indices):
      return lowerIndex(node, values[base], indices, e)
    case .list, .numberList:
      return evaluateLiteral(e, root: index).map(builder.constantNode)
    }
  }

  /// Runs a builder action, turning a shape error into a diagnostic at the node (caret on its
  /// operator).
  mutating func emit(_ node: ExpressionNode, _ action: (GraphBuilder) throws -> NodeID) -> NodeID? {
    do {
      return try action(builder)
    } catch {
      let message = (error as? ShapeError)?.message ?? "\(error)"
      diagnostics.add(.shapeError(message, at: node.range, focus: node.focus.start))
      return nil
    }
  }

  private mutating func lowerMember(
    _ node: ExpressionNode, _ base: ExpressionNode, _ value: NodeID?, _ member: String,
    _ e: Expression
  ) -> NodeID? {
    if member == "T" {
      guard let value else { return nil }
      return emit(node) { try $0.emit(Op.transpose, [value]) }
    }
    // `h1.W`: a parameter that `h1 = dense(...)` declared; `b1.h.W`: one a call of a function
    // made.
    var path = [member]
    var current = base
    while case .member(let inner, let name) = current.kind {
      path.append(name)
      current = e.nodes[inner]
    }
    guard case .name(let baseName) = current.kind else {
      diagnostics.add(.unknownName(member, suggestion: "T", at: node.focus))
      return nil
    }
    path.append(baseName)
    return lookUp(path.reversed().joined(separator: "."), at: node.range)
  }

  private mutating func lowerIndex(
    _ node: ExpressionNode, _ base: NodeID?, _ indices: [Int], _ e: Expression
  ) -> NodeID? {
    guard let base else { return nil }
    var positions: [Int] = []
    let shape = builder[base].shape
    for (axis, index) in indices.enumerated() {
      guard let number = evaluateNumber(e, index), number == number.rounded(), abs(number) < 1e9
      else {
        diagnostics.add(.badIndex(at: e.nodes[index].range))
        return nil
      }
      var position = Int(number)
      if position < 0, axis < shape.rank, let size = shape[axis].value {
        guard position >= -size else {
          diagnostics.add(
            .shapeError(
              "index \(position) is out of range for axis \(axis) of shape \(shape)",
              at: node.range, focus: node.focus.start))
          return nil
        }
        position += size
      }
      positions.append(position)
    }
    return emit(node) { try $0.emit(Op.index, [base], Attributes([("indices", .ints(positions))])) }
  }
}
