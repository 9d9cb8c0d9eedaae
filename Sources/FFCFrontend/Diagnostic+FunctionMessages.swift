import FFCDiagnostics

// The messages of `def` functions and their calls, as factories with stable ids in the style of
// Diagnostic+Messages.swift.

extension Diagnostic {
  static func functionRedefined(_ name: String, at range: SourceRange, previous: SourceRange)
    -> Diagnostic
  {
    Diagnostic(
      .error, id: "function.redefined", "function '\(name)' is already defined", at: range,
      notes: [Note("'\(name)' was defined here", at: previous)])
  }

  /// `what`: "the value", "the function", "the built-in function".
  static func functionShadows(
    _ name: String, what: String, at range: SourceRange, previous: SourceRange?
  ) -> Diagnostic {
    Diagnostic(
      .error, id: "function.shadows",
      "'\(name)' would hide \(what) '\(name)'; choose another name", at: range,
      notes: previous.map { [Note("'\(name)' is defined here", at: $0)] } ?? [])
  }

  static func functionBodyStatement(_ function: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(
      .error, id: "function.statement",
      "a function's body holds assignments, 'param' and 'const' declarations and one 'return'; inputs, outputs and the loss belong to the program",
      at: range)
  }

  static func functionWithoutReturn(_ name: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(
      .error, id: "function.return",
      "function '\(name)' must end with 'return <expression>'", at: range)
  }

  static func functionEarlyReturn(_ name: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(
      .error, id: "function.return",
      "'return' must be the last statement of '\(name)'", at: range)
  }

  static func returnOutsideFunction(at range: SourceRange) -> Diagnostic {
    Diagnostic(
      .error, id: "function.return", "'return' is only allowed inside a function", at: range)
  }

  static func recursiveCall(_ name: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(
      .error, id: "function.recursive",
      "function '\(name)' calls itself; a network is a fixed graph, so write a stack as 'repeat(n, \(name), ...)'",
      at: range)
  }

  static func functionUsedBeforeDefinition(
    _ name: String, at range: SourceRange, definition: SourceRange?
  ) -> Diagnostic {
    Diagnostic(
      .error, id: "function.order", "function '\(name)' is used before its definition",
      at: range, notes: definition.map { [Note("'\(name)' is defined here", at: $0)] } ?? [])
  }

  /// `repeat(3, relu, x)`: repeat calls functions defined with `def`.
  static func repeatOfBuiltin(_ name: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(
      .error, id: "function.repeat-builtin",
      "'repeat' calls a function defined with 'def', and '\(name)' is built in; define one that calls it (def f(v) { return \(name)(v) }) and repeat that",
      at: range)
  }

  static func callChainTooDeep(_ name: String, limit: Int, at range: SourceRange) -> Diagnostic {
    Diagnostic(
      .error, id: "function.depth",
      "calling '\(name)' here nests more than \(limit) function calls inside each other", at: range)
  }

  static func overrideInFunction(_ name: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(
      .error, id: "override.place",
      "'param \(name)' gives a value to a parameter a call made; write it at the top level, not in a function's body",
      at: range)
  }

  static func overrideWithoutValue(_ name: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(
      .error, id: "override.value",
      "'param \(name)' names a parameter a function's call made, and needs a value ('= ...')",
      at: range)
  }

  static func overrideTwice(_ name: String, at range: SourceRange, previous: SourceRange)
    -> Diagnostic
  {
    Diagnostic(
      .error, id: "override.duplicate", "'\(name)' is given a value twice", at: range,
      notes: [Note("its first value is here", at: previous)])
  }

  static func overrideUnknown(_ name: String, suggestion: String?, at range: SourceRange)
    -> Diagnostic
  {
    Diagnostic(
      .error, id: "override.unknown",
      "'param \(name)' names no parameter that a function's call makes"
        + (suggestion.map { "; did you mean '\($0)'?" } ?? ""), at: range)
  }

  static func overrideNotMadeByCall(_ name: String, at range: SourceRange, declared: SourceRange?)
    -> Diagnostic
  {
    Diagnostic(
      .error, id: "override.declared",
      "'\(name)' is not made by a function's call; give its value where it is declared",
      at: range, notes: declared.map { [Note("'\(name)' is declared here", at: $0)] } ?? [])
  }
}

extension Diagnostic {
  /// A `jacobian` or `hessian` whose derivative passes would not fit in memory
  /// (`DerivativeBudget`): refused with what it would take, at the call.
  static func derivativeTooLarge(_ message: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(.error, id: "derivative.memory", message, at: range)
  }
}

// The messages of a function's `derivative` clause (custom derivatives).
extension Diagnostic {
  static func derivativeOutsideFunction(at range: SourceRange) -> Diagnostic {
    Diagnostic(
      .error, id: "derivative.placement",
      "'derivative' states the derivative of a function: write it inside a 'def' body, as the line after its 'return'",
      at: range)
  }

  static func derivativeNotLast(_ function: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(
      .error, id: "derivative.placement",
      "the 'derivative' clause of '\(function)' must be the last line of its body, after 'return'",
      at: range)
  }

  static func derivativeCount(
    _ function: String, parameters: [String], got: Int, at range: SourceRange
  ) -> Diagnostic {
    let count = parameters.count
    return Diagnostic(
      .error, id: "derivative.count",
      "the derivative of '\(function)' gives \(got) gradient\(got == 1 ? "" : "s"), but '\(function)' has \(count) parameter\(count == 1 ? "" : "s") (\(parameters.joined(separator: ", "))): give one per parameter, in order, and 0 for a parameter that gets none",
      at: range)
  }

  static func derivativeCall(_ function: String, callee: String, at range: SourceRange)
    -> Diagnostic
  {
    Diagnostic(
      .error, id: "derivative.call",
      "the derivative of '\(function)' cannot call '\(callee)': it is an expression of built-in operations on the parameters, the body's values, the incoming gradient and the result",
      at: range)
  }

  static func derivativeMakesParameters(
    _ function: String, parameter: String, at range: SourceRange, clause: SourceRange
  ) -> Diagnostic {
    Diagnostic(
      .error, id: "derivative.parameters",
      "'\(function)' states its derivative, which gives gradients to its arguments only, but its body makes the parameter '\(parameter)'; declare it outside the function and pass it in",
      at: range, notes: [Note("the derivative is stated here", at: clause)])
  }

  static func derivativeShape(
    _ function: String, parameter: String, shape: String, expected: String, at range: SourceRange
  ) -> Diagnostic {
    Diagnostic(
      .error, id: "derivative.shape",
      "the derivative of '\(function)' for '\(parameter)' has shape \(shape), but '\(parameter)' has shape \(expected) here",
      at: range)
  }
}
