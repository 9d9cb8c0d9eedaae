import FFCDiagnostics
import FFCIR

extension Lowering {
  /// What the definition's `derivative` clause may not do, checked once: one expression per
  /// parameter, names for the gradient and the result that hide nothing, and no calls other than
  /// built-in operations (so the backward is a template of ops over the placeholders).
  mutating func checkDerivativeClause(_ definition: FunctionDefinition) -> Bool {
    guard let (clause, range) = definition.derivative else { return true }
    var ok = true
    if clause.values.count != definition.parameters.count {
      diagnostics.add(
        .derivativeCount(
          definition.name, parameters: definition.parameters.map(\.name),
          got: clause.values.count, at: range))
      ok = false
    }
    var taken: [String: SourceRange] = [:]
    for (name, nameRange) in definition.parameters { taken[name] = taken[name] ?? nameRange }
    for (statement, statementRange) in definition.body {
      switch statement {
      case .declaration(_, let name, let nameRange, _, _), .assignment(let name, let nameRange, _):
        taken[name] = taken[name] ?? nameRange
      default: _ = statementRange
      }
    }
    for (name, nameRange) in [clause.gradient] + (clause.result.map { [$0] } ?? []) {
      if let previous = taken[name] {
        diagnostics.add(.duplicateName(name, at: nameRange, previous: previous))
        ok = false
      } else if name == definition.name || functions[name] != nil || isBuiltinFunction(name) {
        // As for a local: `derivative(relu) = relu` would hide the function.
        diagnostics.add(
          .functionShadows(
            name, what: "the function", at: nameRange,
            previous: functions[name]?.definition.nameRange))
        ok = false
      }
      taken[name] = nameRange
    }
    let forbidden = ["dense", "grad", "hessian", "jvp", "jacobian", "load", "repeat"]
    for value in clause.values {
      for node in value.nodes {
        guard case .call(let callee, _) = node.kind else { continue }
        if forbidden.contains(callee) || functions[callee] != nil || laterFunctions[callee] != nil {
          diagnostics.add(.derivativeCall(definition.name, callee: callee, at: node.focus))
          ok = false
        }
      }
    }
    return ok
  }

  /// A call's `custom_vjp` node: the forward value `forward`, with the backward of the clause
  /// lowered into a scratch builder over placeholders (the parameters and the body's values as
  /// bound in the function's scope, the gradient and the result) and kept as a template
  /// (`CustomDerivative`), which reverse mode builds with the gradient that arrives. Runs in the
  /// function's scope, after its `return`.
  mutating func lowerCustomDerivative(
    _ definition: FunctionDefinition, forward: NodeID, inputs: [NodeID], declarationsBefore: Int,
    call: SourceRange
  ) -> NodeID? {
    guard let (clause, clauseRange) = definition.derivative else { return forward }
    if declarations.count > declarationsBefore {
      let made = declarations[declarationsBefore]
      let local =
        made.name.hasPrefix(namePrefix) ? String(made.name.dropFirst(namePrefix.count)) : made.name
      diagnostics.add(
        .derivativeMakesParameters(
          definition.name, parameter: local, at: made.location ?? clauseRange,
          clause: clause.keywordRange))
      return nil
    }
    // The placeholders: each a leaf of the scratch builder, standing for a value of the graph.
    enum Target {
      case parameter(Int)
      case local(NodeID)
      case gradient
      case result
    }
    let main = builder
    let scratch = GraphBuilder()
    scratch.currentLocation = clauseRange
    var targets: [Int: Target] = [:]
    var newScope: [String: Binding] = [:]
    var newOrder: [String] = []
    func placeholder(_ name: String, _ shape: Shape, _ target: Target, _ range: SourceRange?) {
      let leaf = scratch.leaf(Op.input, name: "\(newOrder.count) \(name)", shape: shape)
      targets[leaf.index] = target
      newScope[name] = Binding(node: leaf, range: range)
      newOrder.append(name)
    }
    for name in scopeOrder {
      guard let binding = scope[name] else { continue }
      guard let node = binding.node else {
        newScope[name] = binding
        newOrder.append(name)
        continue
      }
      if let position = definition.parameters.firstIndex(where: { $0.name == name }) {
        placeholder(name, main[node].shape, .parameter(position), binding.range)
      } else {
        placeholder(name, main[node].shape, .local(node), binding.range)
      }
    }
    placeholder(clause.gradient.name, main[forward].shape, .gradient, clause.gradient.range)
    if let result = clause.result {
      placeholder(result.name, main[forward].shape, .result, result.range)
    }
    let saved = (scope, scopeOrder, statementTarget, callsInStatement)
    (scope, scopeOrder) = (newScope, newOrder)
    builder = scratch
    let errorsBefore = diagnostics.errors.count
    var outputs: [NodeID?] = []
    for value in clause.values {
      if case .number(0) = value.nodes[value.root].kind {
        outputs.append(nil)
      } else {
        outputs.append(lowerExpression(value))
      }
    }
    builder = main
    (scope, scopeOrder, statementTarget, callsInStatement) = saved
    guard diagnostics.errors.count == errorsBefore else { return nil }
    for (position, output) in outputs.enumerated() {
      guard let output else { continue }
      let expected = main[inputs[position]].shape
      guard scratch[output].shape == expected else {
        diagnostics.add(
          .derivativeShape(
            definition.name, parameter: definition.parameters[position].name,
            shape: scratch[output].shape.description, expected: expected.description,
            at: clause.values[position].range
          ).with(note: Note("in this call", at: call)))
        return nil
      }
    }
    // The template: the scratch nodes the outputs read, in order, placeholders as references.
    let nodes = scratch.nodes
    var needed = [Bool](repeating: false, count: nodes.count)
    for output in outputs { if let output { needed[output.index] = true } }
    for index in stride(from: nodes.count - 1, through: 0, by: -1) where needed[index] {
      for input in nodes[index].inputs { needed[input.index] = true }
    }
    var locals: [NodeID] = []
    var references = [CustomDerivative.Reference?](repeating: nil, count: nodes.count)
    var steps: [CustomDerivative.Step] = []
    for (index, node) in nodes.enumerated() where needed[index] {
      if let target = targets[index] {
        switch target {
        case .parameter(let position): references[index] = .operand(1 + position)
        case .gradient: references[index] = .gradient
        case .result: references[index] = .operand(0)
        case .local(let value):
          let known = locals.firstIndex(of: value) ?? locals.count
          if known == locals.count { locals.append(value) }
          references[index] = .operand(1 + inputs.count + known)
        }
        continue
      }
      guard !node.op.isLeaf || node.op === Op.const else {
        diagnostics.add(
          .internalError(
            in: "lowering", "the derivative of '\(definition.name)' made a '\(node.op.name)' leaf",
            at: clauseRange))
        return nil
      }
      steps.append(
        CustomDerivative.Step(
          op: node.op, inputs: node.inputs.compactMap { references[$0.index] },
          attributes: node.attributes))
      references[index] = .step(steps.count - 1)
    }
    let derivative = CustomDerivative(
      function: definition.name, steps: steps,
      cotangents: outputs.map { $0.flatMap { references[$0.index] } }, exact: clause.exact,
      line: clauseRange.start.line)
    let location = builder.currentLocation
    builder.currentLocation = clauseRange
    defer { builder.currentLocation = location }
    do {
      return try builder.emit(
        Op.customVJP, [forward] + inputs + locals,
        Attributes([("derivative", .derivative(derivative))]))
    } catch {
      diagnostics.add(
        .internalError(
          in: "lowering", "custom_vjp of '\(definition.name)': \(error)", at: clauseRange))
      return nil
    }
  }
}
