import FFCDiagnostics
import FFCIR

extension Lowering {
  /// A call: a composite (`mse`) expands into ops; a primitive (`sum(x, axis=0)`) takes its
  /// tensor arguments as operands and its numeric options as attributes.
  mutating func lowerCall(
    _ node: ExpressionNode, _ callee: String, _ arguments: [ExpressionNode.Argument],
    _ e: Expression,
    _ values: [NodeID?]
  ) -> NodeID? {
    guard checkArgumentOrder(callee, arguments, e) else { return nil }
    if functions[callee] != nil { return lowerFunctionCall(node, callee, arguments, e, values) }
    if callee == "repeat" { return lowerRepeat(node, arguments, e, values) }
    if callee == "grad" { return lowerGrad(node, arguments, e, values) }
    if callee == "hessian" { return lowerHessian(node, arguments, e, values) }
    if callee == "jvp" { return lowerJVP(node, arguments, e, values) }
    if callee == "jacobian" { return lowerJacobian(node, arguments, e, values) }
    if callee == "reshape" { return lowerReshape(node, arguments, e, values) }
    if callee == "maxout" { return lowerMaxout(node, arguments, e, values) }
    if let composite = OpRegistry.composite(callee) {
      guard checkCount(callee, arguments, tensors: composite.tensorCount, options: [], node) else {
        return nil
      }
      if let labelled = arguments.first(where: { $0.label != nil }) {
        diagnostics.add(
          .badOption("'\(callee)' takes no options", at: labelled.labelRange ?? node.range))
        return nil
      }
      let inputs = arguments.map { values[$0.value] }
      guard inputs.allSatisfy({ $0 != nil }) else { return nil }
      let shapes = inputs.compactMap { $0 }.map { builder[$0].shape }
      if let joint = composite.broadcastGrowth(shapes) {
        let operands = inputs.compactMap { $0 }.map { builder[$0] }
        diagnostics.add(
          .lossBroadcast(
            callee, shapes: shapes, joint: joint, names: operands.map(\.name),
            declared: operands.map { $0.op.isLeaf && $0.name != nil }, at: node.range,
            focus: node.focus.start))
        return nil
      }
      do throws(ShapeError) {
        return try composite.expand(inputs.compactMap { $0 }.map(builder.value)).nodeID
      } catch {
        diagnostics.add(
          .shapeError("in '\(callee)': \(error.message)", at: node.range, focus: node.focus.start))
        return nil
      }
    }
    guard let op = OpRegistry.callableOp(callee), let signature = op.call else {
      reportUnknownFunction(callee, at: node.focus)
      return nil
    }
    guard
      checkCount(
        callee, arguments, tensors: signature.tensorCount, options: signature.options, node)
    else { return nil }
    let tensorArguments = arguments.prefix { $0.label == nil }.prefix(signature.tensorCount)
    let inputs = tensorArguments.map { values[$0.value] }
    guard inputs.allSatisfy({ $0 != nil }) else { return nil }
    let operands = inputs.compactMap { $0 }
    guard
      let options = readOptions(
        callee, signature, Array(arguments.dropFirst(signature.tensorCount)), e)
    else { return nil }
    return emit(node) { builder in
      let attributes = try signature.makeAttributes(options, operands.map { builder[$0].shape })
      if op.isElementwise && operands.count == 2 {
        return try builder.elementwise(op, operands[0], operands[1])
      }
      return try builder.emit(op, operands, attributes)
    }
  }

  /// Python's `True` and `False` as option values (`keepdims=True`): 1 and 0.
  static func truthValue(_ node: ExpressionNode) -> Double? {
    switch node.kind {
    case .name("True"): 1
    case .name("False"): 0
    default: nil
    }
  }

  /// Keyword arguments come after positional ones, as in Python.
  mutating func checkArgumentOrder(
    _ callee: String, _ arguments: [ExpressionNode.Argument], _ e: Expression
  ) -> Bool {
    guard let firstLabel = arguments.firstIndex(where: { $0.label != nil }),
      let stray = arguments[firstLabel...].first(where: { $0.label == nil })
    else { return true }
    diagnostics.add(
      .badOption(
        "in a call to '\(callee)', an argument without a name follows a named one",
        at: e.nodes[stray.value].range))
    return false
  }

  /// Checks the number of positional tensor arguments and reports a mismatch.
  mutating func checkCount(
    _ callee: String, _ arguments: [ExpressionNode.Argument], tensors: Int, options: [CallOption],
    _ node: ExpressionNode
  ) -> Bool {
    let positional = arguments.prefix { $0.label == nil }.count
    guard positional < tensors || positional > tensors + options.count else { return true }
    let required = options.filter(\.isRequired).count
    let optional = options.count - required
    var expected = tensors + required == 1 ? "1 argument" : "\(tensors + required) arguments"
    if optional > 0 {
      expected +=
        " (and up to \(optional) option\(optional == 1 ? "" : "s"): \(options.map(\.name).joined(separator: ", ")))"
    }
    diagnostics.add(
      .wrongArgumentCount(callee, expected: expected, got: positional, at: node.range))
    return false
  }

  /// Reads numeric options given by position (in the signature's order) or by keyword.
  mutating func readOptions(
    _ callee: String, _ signature: CallSignature, _ arguments: [ExpressionNode.Argument],
    _ e: Expression
  ) -> [String: Double]? {
    var options: [String: Double] = [:]
    var given: [String] = []
    for (position, argument) in arguments.enumerated() {
      let name: String
      if let label = argument.label {
        guard signature.options.contains(where: { $0.name == label }) else {
          let known = signature.options.map(\.name)
          let hint =
            known.isEmpty
            ? "'\(callee)' takes no options"
            : "its options are \(known.map { "'\($0)'" }.joined(separator: ", "))"
          diagnostics.add(
            .badOption(
              "'\(callee)' has no option '\(label)'; \(hint)",
              at: argument.labelRange ?? e.nodes[argument.value].range))
          return nil
        }
        name = label
      } else {
        guard position < signature.options.count else {
          diagnostics.add(
            .wrongArgumentCount(
              callee,
              expected: "at most \(signature.tensorCount + signature.options.count) arguments",
              got: signature.tensorCount + arguments.count, at: e.nodes[argument.value].range))
          return nil
        }
        name = signature.options[position].name
      }
      if given.contains(name) {
        diagnostics.add(
          .badOption(
            "option '\(name)' of '\(callee)' is given twice", at: e.nodes[argument.value].range))
        return nil
      }
      given.append(name)
      if case .name("None") = e.nodes[argument.value].kind,
        let option = signature.options.first(where: { $0.name == name }),
        option.defaultValue == nil, !option.isRequired
      {
        continue  // Python's "no value": `sum(x, axis=None)` reduces over all axes, as in JAX
      }
      guard
        let value = evaluateNumber(e, argument.value) ?? Self.truthValue(e.nodes[argument.value])
      else {
        var message = "option '\(name)' of '\(callee)' must be a number"
        if case .name("None") = e.nodes[argument.value].kind {
          message += "; None is accepted only where leaving the option out means all axes"
        }
        diagnostics.add(.badOption(message, at: e.nodes[argument.value].range))
        return nil
      }
      options[name] = value
    }
    for option in signature.options where option.isRequired && options[option.name] == nil {
      diagnostics.add(.badOption("'\(callee)' needs the option '\(option.name)'", at: e.range))
      return nil
    }
    return options
  }
}

extension Lowering {
  /// Whether a special form (`grad`, `jvp`, `reshape`, ...) got `count` arguments, or at least
  /// `count` with `orMore`, none of them labelled; otherwise reports `usage` at the call.
  mutating func takesPositional(
    _ arguments: [ExpressionNode.Argument], _ count: Int, orMore: Bool = false, usage: String,
    at range: SourceRange
  ) -> Bool {
    let counted = orMore ? arguments.count >= count : arguments.count == count
    guard counted, arguments.allSatisfy({ $0.label == nil }) else {
      diagnostics.add(.badOption(usage, at: range))
      return false
    }
    return true
  }
}
