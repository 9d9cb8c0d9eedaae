import FFCDiagnostics
import FFCIR

/// A defined function and whether a call of it failed (later calls then report nothing more, so a
/// mistake in a body called 40 times gives one message).
struct FunctionEntry {
  let definition: FunctionDefinition
  var failed = false
}

extension Lowering {
  /// The deepest chain of calls inside calls: each level is a function calling one defined before
  /// it, so the chain is at most as long as the program's list of functions; it is bounded so that
  /// inlining never recurses with the input.
  static let deepestCallChain = 32

  /// Checks a definition (its name, its parameters' and locals' names) and records it.
  mutating func define(_ definition: FunctionDefinition) {
    let name = definition.name
    if let previous = functions[name] {
      diagnostics.add(
        .functionRedefined(name, at: definition.nameRange, previous: previous.definition.nameRange))
      return
    }
    if isBuiltinFunction(name) {
      diagnostics.add(
        .functionShadows(
          name, what: "the built-in function", at: definition.nameRange, previous: nil))
      return
    }
    if let value = scope[name] {
      diagnostics.add(
        .functionShadows(name, what: "the value", at: definition.nameRange, previous: value.range))
      return
    }
    var seen: [String: SourceRange] = [:]
    var ok = true
    var locals = definition.parameters.map { ($0.name, $0.range) }
    for (statement, range) in definition.body {
      switch statement {
      case .declaration(let kind, let local, let localRange, _, _):
        if kind != "param" && kind != "const" {
          diagnostics.add(.functionBodyStatement(name, at: range))
          ok = false
        }
        locals.append((local, localRange))
      case .assignment(let local, let localRange, _):
        locals.append((local, localRange))
      case .returnValue, .invalid: break
      case .derivative:
        diagnostics.add(.derivativeNotLast(name, at: range))
        ok = false
      default:
        diagnostics.add(.functionBodyStatement(name, at: range))
        ok = false
      }
    }
    for (local, range) in locals {
      if let previous = seen[local] {
        diagnostics.add(.duplicateName(local, at: range, previous: previous))
        ok = false
      } else if let outer = scope[local] {
        diagnostics.add(
          .functionShadows(local, what: "the value", at: range, previous: outer.range))
        ok = false
      } else if local == name || functions[local] != nil || isBuiltinFunction(local) {
        diagnostics.add(
          .functionShadows(
            local, what: "the function", at: range, previous: functions[local]?.definition.nameRange
          ))
        ok = false
      }
      seen[local] = seen[local] ?? range
    }
    // A misplaced derivative clause is reported above; the return is looked for without it.
    let statements = definition.body.filter {
      if case .derivative = $0.statement { false } else { true }
    }
    guard let last = statements.last, case .returnValue = last.statement else {
      // A line the parser rejected (reported there) may be the return itself.
      let unreadable = definition.body.contains {
        if case .invalid = $0.statement { true } else { false }
      }
      if !unreadable { diagnostics.add(.functionWithoutReturn(name, at: definition.range)) }
      functions[name] = FunctionEntry(definition: definition, failed: true)
      return
    }
    if let early = statements.dropLast().first(where: {
      if case .returnValue = $0.statement { true } else { false }
    }) {
      diagnostics.add(.functionEarlyReturn(name, at: early.range))
      ok = false
    }
    ok = checkCalls(in: definition) && ok
    ok = checkDerivativeClause(definition) && ok
    functions[name] = FunctionEntry(definition: definition, failed: !ok)
  }

  func isBuiltinFunction(_ name: String) -> Bool {
    OpRegistry.callableOp(name) != nil || OpRegistry.composite(name) != nil
      || ["dense", "grad", "hessian", "jvp", "jacobian", "load", "repeat", "def", "return"]
        .contains(name)
  }

  /// `block(h, 64)`: the body lowered once more, its arguments bound to the parameters.
  mutating func lowerFunctionCall(
    _ node: ExpressionNode, _ callee: String, _ arguments: [ExpressionNode.Argument],
    _ e: Expression, _ values: [NodeID?]
  ) -> NodeID? {
    guard let entry = functions[callee] else { return nil }
    if let labelled = arguments.first(where: { $0.label != nil }) {
      diagnostics.add(
        .badOption(
          "'\(callee)' takes its arguments by position", at: labelled.labelRange ?? node.range))
      return nil
    }
    guard checkFunctionArity(entry.definition, given: arguments.count, node) else { return nil }
    let inputs = arguments.map { values[$0.value] }
    guard !entry.failed, inputs.allSatisfy({ $0 != nil }) else { return nil }
    return inline(callee, inputs.compactMap { $0 }, prefix: nextCallPrefix(), call: node)
  }

  /// `repeat(40, block, h, 64)`: `block(block(...block(h, 64)..., 64), 64)`, 40 calls deep, made by
  /// a loop; the i-th call's names are prefixed with the target and i (`h.7.z.W`).
  mutating func lowerRepeat(
    _ node: ExpressionNode, _ arguments: [ExpressionNode.Argument], _ e: Expression,
    _ values: [NodeID?]
  ) -> NodeID? {
    guard arguments.count >= 3, arguments.allSatisfy({ $0.label == nil }) else {
      diagnostics.add(
        .wrongArgumentCount(
          "repeat", expected: "a count, a function and the function's arguments",
          got: arguments.count, at: node.range))
      return nil
    }
    let countNode = e.nodes[arguments[0].value]
    guard let count = evaluateNumber(e, arguments[0].value) else {
      diagnostics.add(
        .badOption(
          "the count of 'repeat' is a number written out (40) or a function's parameter given one, not an expression",
          at: countNode.range))
      return nil
    }
    guard count >= 1, count <= 100_000,
      count == count.rounded()
    else {
      diagnostics.add(
        .badOption(
          "the count of 'repeat' must be a whole number from 1 to 100000", at: countNode.range))
      return nil
    }
    guard case .name(let callee) = e.nodes[arguments[1].value].kind,
      let entry = functions[callee]
    else {
      let range = e.nodes[arguments[1].value].range
      if case .name(let name) = e.nodes[arguments[1].value].kind, isBuiltinFunction(name) {
        diagnostics.add(.repeatOfBuiltin(name, at: range))
      } else if case .name(let name) = e.nodes[arguments[1].value].kind {
        reportUnknownFunction(name, at: range)
      } else {
        diagnostics.add(
          .badOption("the second argument of 'repeat' must be a function's name", at: range))
      }
      return nil
    }
    guard checkFunctionArity(entry.definition, given: arguments.count - 2, node) else { return nil }
    let inputs = arguments.dropFirst(2).map { values[$0.value] }
    guard !entry.failed, var chained = inputs.compactMap({ $0 }).first,
      inputs.allSatisfy({ $0 != nil })
    else { return nil }
    let rest = inputs.dropFirst().compactMap { $0 }
    guard callsFit(Int(count), callee, at: node.range) else { return nil }
    let prefix = nextCallPrefix()
    for step in 1...Int(count) {
      guard let result = inline(callee, [chained] + rest, prefix: "\(prefix).\(step)", call: node)
      else {
        return nil
      }
      if step < Int(count), builder[result].name == nil {
        builder.rename(result, qualified("\(prefix).\(step)"))
      }
      chained = result
    }
    return chained
  }

  mutating func checkFunctionArity(
    _ definition: FunctionDefinition, given: Int, _ node: ExpressionNode
  ) -> Bool {
    let count = definition.parameters.count
    guard given != count else { return true }
    let names = definition.parameters.map(\.name).joined(separator: ", ")
    diagnostics.add(
      .wrongArgumentCount(
        definition.name,
        expected: count == 1 ? "1 argument (\(names))" : "\(count) arguments (\(names))",
        got: given, at: node.range
      )
      .with(note: Note("'\(definition.name)' is defined here", at: definition.nameRange)))
    return false
  }

  /// The name the values of the next call in this statement are prefixed with: the statement's
  /// target for the first call, then `target_2`, `target_3`.
  mutating func nextCallPrefix() -> String {
    callsInStatement += 1
    let target = statementTarget ?? "call"
    return callsInStatement == 1 ? target : "\(target)_\(callsInStatement)"
  }

  /// Lowers the body of `callee` in a scope of its own (the parameters bound to `inputs`), naming
  /// what it makes `<prefix>.<local>`; the locals are then reachable outside as `<prefix>.<local>`
  /// (`b1.h.W`).
  mutating func inline(_ callee: String, _ inputs: [NodeID], prefix: String, call: ExpressionNode)
    -> NodeID?
  {
    guard let definition = functions[callee]?.definition else { return nil }
    guard callDepth < Self.deepestCallChain else {
      diagnostics.add(.callChainTooDeep(callee, limit: Self.deepestCallChain, at: call.range))
      functions[callee]?.failed = true
      return nil
    }
    guard countCall(callee, at: call.range) else {
      functions[callee]?.failed = true
      return nil
    }
    let saved = (
      scope, scopeOrder, namePrefix, statementTarget, callsInStatement, builder.currentLocation
    )
    let savedCallSite = builder.callSite
    // Every node the body makes carries the outermost call's place beside the body's line.
    builder.callSite = savedCallSite ?? call.range.start
    defer { builder.callSite = savedCallSite }
    let errorsBefore = diagnostics.errors.count
    let declarationsBefore = declarations.count
    scope = [:]
    scopeOrder = []
    namePrefix = saved.2 + prefix + "."
    callDepth += 1
    for (parameter, input) in zip(definition.parameters, inputs) {
      _ = bind(parameter.name, input, at: parameter.range)
    }
    var result: NodeID?
    for (statement, range) in definition.body {
      builder.currentLocation = range
      if case .returnValue(let value) = statement {
        statementTarget = nil
        callsInStatement = 0
        result = lowerExpression(value)
      } else {
        lowerStatement(statement, range)
      }
    }
    if let forward = result, definition.derivative != nil {
      result = lowerCustomDerivative(
        definition, forward: forward, inputs: inputs, declarationsBefore: declarationsBefore,
        call: call.range)
    }
    let locals = scopeOrder.filter { local in !definition.parameters.contains { $0.name == local } }
    let bindings = locals.map { scope[$0] }
    callDepth -= 1
    (scope, scopeOrder, namePrefix, statementTarget, callsInStatement, builder.currentLocation) =
      saved
    for (local, binding) in zip(locals, bindings) {
      if let binding { _ = bind("\(prefix).\(local)", binding.node, at: call.range) }
    }
    if diagnostics.errors.count > errorsBefore { functions[callee]?.failed = true }
    return result
  }

  /// An unknown function: a function defined further down is named as such.
  mutating func reportUnknownFunction(_ name: String, at range: SourceRange) {
    if let later = laterFunctions[name] {
      diagnostics.add(.functionUsedBeforeDefinition(name, at: range, definition: later))
      return
    }
    // A name from JAX or PyTorch gets ffc's spelling and, where it helps, a note.
    if let foreign = ForeignNames.entry(name) {
      let unknown = Diagnostic.unknownFunction(name, suggestion: foreign.ffc, at: range)
      diagnostics.add(foreign.note.map { unknown.with(note: Note($0, at: nil)) } ?? unknown)
      return
    }
    let names =
      OpRegistry.callable.map(\.spelling) + OpRegistry.composites.map(\.name)
      + Self.specialForms + functionOrder
    diagnostics.add(
      .unknownFunction(name, suggestion: EditDistance.closest(to: name, in: names), at: range))
  }
}

extension Lowering {
  /// A body may call only functions defined before its own (so no call, direct or not, can reach
  /// the function again, and inlining always ends).
  mutating func checkCalls(in definition: FunctionDefinition) -> Bool {
    var ok = true
    for (statement, _) in definition.body {
      let expression: Expression?
      switch statement {
      case .assignment(_, _, let value), .returnValue(let value): expression = value
      default: expression = nil
      }
      for node in expression?.nodes ?? [] {
        guard case .call(let callee, let arguments) = node.kind else { continue }
        var names = [callee]
        if callee == "repeat", arguments.count > 1,
          case .name(let repeated) = expression?.nodes[arguments[1].value].kind
        {
          names.append(repeated)
        }
        for name in names where laterFunctions[name] != nil && functions[name] == nil {
          if name == definition.name {
            diagnostics.add(.recursiveCall(name, at: node.focus))
          } else {
            diagnostics.add(
              .functionUsedBeforeDefinition(name, at: node.focus, definition: laterFunctions[name]))
          }
          ok = false
        }
      }
    }
    return ok
  }
}
