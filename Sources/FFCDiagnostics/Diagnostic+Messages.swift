// Every message ffc shows about a user's program, as a factory with a stable id, in alphabetical
// order. Wording: lower case, no final period, names in quotes, say what was expected and found.

extension Diagnostic {
  public static func badDimension(_ text: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(
      .error, id: "parse.dimension",
      "a dimension must be a whole number from 1 to 2^31 or a name, got '\(text)'", at: range)
  }

  public static func badIndex(at range: SourceRange) -> Diagnostic {
    Diagnostic(.error, id: "index.whole", "an index must be a whole number", at: range)
  }

  public static func badInitializer(_ message: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(.error, id: "declaration.initializer", message, at: range)
  }

  public static func badLabelDefault(_ value: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(
      .error, id: "declaration.label", "class labels are whole numbers from 0, got \(value)",
      at: range)
  }

  public static func badOption(_ message: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(.error, id: "call.option", message, at: range)
  }

  public static func batchDimensionInParameter(
    _ name: String, _ symbol: String, at range: SourceRange
  ) -> Diagnostic {
    Diagnostic(
      .error, id: "declaration.symbolic",
      "'\(name)' cannot have the batch dimension '\(symbol)': only data (input, target, label) has one",
      at: range)
  }

  public static func cannotDifferentiate(_ op: String, at range: SourceRange?) -> Diagnostic {
    Diagnostic(
      .error, id: "grad.nondifferentiable", "cannot differentiate through '\(op)'", at: range)
  }

  /// Forward mode (`jvp`, a forward-mode `jacobian`) met a function whose derivative is stated
  /// for reverse mode only.
  /// `at`: the call that asked for forward mode; `clause`: the `derivative` line.
  public static func forwardThroughCustomDerivative(
    _ function: String, at range: SourceRange?, clause: SourceRange?
  ) -> Diagnostic {
    Diagnostic(
      .error, id: "jvp.custom-derivative",
      "forward mode cannot pass through '\(function)': its derivative clause states a reverse-mode derivative only (as jax.custom_vjp); differentiate it with 'grad' instead, or declare the derivative 'exact' if it is the true one",
      at: range ?? clause,
      notes: range == nil || clause == nil
        ? [] : [Note("'\(function)' states its derivative here", at: clause)])
  }

  public static func constantWithoutValue(_ name: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(
      .error, id: "declaration.const-value",
      "constant '\(name)' needs a value: 'const \(name) = 2'",
      at: range)
  }

  /// A constant is made while compiling, so a number spread over a shape larger than the compiler
  /// spreads (`limit` elements) would take its memory before any budget is checked.
  public static func constantFillTooLarge(
    _ name: String, shape: String, limit: Int, at range: SourceRange
  ) -> Diagnostic {
    Diagnostic(
      .error, id: "declaration.const-size",
      "constant '\(name)' spreads one number over \(shape), more than the \(limit) elements a "
        + "constant may have; declare it as an 'input' with that default, which is made when the "
        + "program runs",
      at: range)
  }

  public static func denseNotAssigned(at range: SourceRange) -> Diagnostic {
    Diagnostic(
      .error, id: "dense.unassigned",
      "'dense' declares its layer's parameters, so it must be assigned to a name: 'h = dense(x, 64, relu)'",
      at: range)
  }

  public static func duplicateName(_ name: String, at range: SourceRange, previous: SourceRange?)
    -> Diagnostic
  {
    Diagnostic(
      .error, id: "name.duplicate", "'\(name)' is already defined", at: range,
      notes: previous.map { [Note("'\(name)' was defined here", at: $0)] } ?? [])
  }

  public static func emptyList(at range: SourceRange) -> Diagnostic {
    Diagnostic(
      .error, id: "parse.emptylist", "a list literal needs at least one element", at: range)
  }

  /// `found` is the offending token as the user should read it: `'@'`, `end of line`.
  public static func expected(
    _ what: String, _ context: String?, found: String, at range: SourceRange
  ) -> Diagnostic {
    let place = context.map { " \($0)" } ?? ""
    return Diagnostic(
      .error, id: "parse.expected", "expected \(what)\(place), found \(found)", at: range)
  }

  public static func functionAsValue(_ name: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(
      .error, id: "name.function-value", "'\(name)' is a function; call it as '\(name)(...)'",
      at: range)
  }

  /// A bug in ffc, found while compiling (`stage`: "lowering", "pass"), not a mistake in the
  /// program: rendered as an internal error, exit code 3.
  public static func internalError(in stage: String, _ message: String, at range: SourceRange?)
    -> Diagnostic
  {
    Diagnostic(.error, id: "internal.\(stage)", message, at: range)
  }

  public static func lossNotScalar(_ name: String, shape: String, at range: SourceRange)
    -> Diagnostic
  {
    Diagnostic(
      .error, id: "loss.shape",
      "the loss must be a scalar, but '\(name)' has shape \(shape); reduce it with sum(...) or mean(...)",
      at: range)
  }

  public static func malformedNumber(_ text: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(.error, id: "lex.number", "malformed number '\(text)'", at: range)
  }

  public static func missingLoss(at range: SourceRange?) -> Diagnostic {
    Diagnostic(
      .error, id: "loss.missing",
      "the program declares no loss, so there is nothing to differentiate; add 'loss L = ...'",
      at: range)
  }

  public static func notALiteral(at range: SourceRange) -> Diagnostic {
    Diagnostic(
      .error, id: "literal.expected", "expected a number or a list of numbers", at: range)
  }

  public static func numberTooLarge(_ text: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(.error, id: "lex.range", "the number '\(text)' is too large", at: range)
  }

  /// Stops a statement whose error was already reported (by the lexer); never rendered.
  public static let silent = Diagnostic(.note, id: "silent", "", at: nil)

  public static func notCallable(at range: SourceRange) -> Diagnostic {
    Diagnostic(.error, id: "call.callee", "only a function name can be called", at: range)
  }

  public static func parameterZeroGradient(_ name: String, at range: SourceRange?) -> Diagnostic {
    Diagnostic(
      .warning, id: "grad.zero",
      "the loss depends on '\(name)' only through stop_gradient, step, sign, comparisons or a derivative stated as 0, whose derivative is zero; its gradient is zero",
      at: range)
  }

  public static func parameterUnused(_ name: String, at range: SourceRange?) -> Diagnostic {
    Diagnostic(
      .warning, id: "grad.unused", "'\(name)' does not affect the loss; its gradient is zero",
      at: range)
  }

  public static func raggedMatrix(at range: SourceRange) -> Diagnostic {
    Diagnostic(
      .error, id: "literal.ragged", "the rows of a matrix literal must all have the same length",
      at: range)
  }

  public static func secondLoss(_ name: String, at range: SourceRange, first: SourceRange?)
    -> Diagnostic
  {
    Diagnostic(
      .error, id: "loss.duplicate", "a program has one loss, but '\(name)' is a second", at: range,
      notes: first.map { [Note("the first loss is here", at: $0)] } ?? [])
  }

  public static func shapeError(_ message: String, at range: SourceRange, focus: SourceLocation?)
    -> Diagnostic
  {
    Diagnostic(.error, id: "shape.incompatible", message, at: range, focus: focus)
  }

  public static func shapeMismatch(
    _ what: String, declared: String, found: String, at range: SourceRange
  ) -> Diagnostic {
    Diagnostic(
      .error, id: "declaration.shape",
      "\(what) has shape \(found), but the declaration says \(declared)", at: range)
  }

  /// Two default values give a symbolic dimension different sizes; the note points at the first.
  public static func symbolSizeConflict(
    _ name: String, symbol: String, size: Int, first: String, firstSize: Int,
    at range: SourceRange, firstRange: SourceRange
  ) -> Diagnostic {
    Diagnostic(
      .error, id: "declaration.symbol-size",
      "'\(name)' gives '\(symbol)' the size \(size), but '\(first)' gives it \(firstSize)",
      at: range,
      notes: [Note("'\(first)' is here", at: firstRange)])
  }

  public static func unbalanced(_ text: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(
      .error, id: "parse.unbalanced", "unexpected '\(text)' with nothing to close", at: range)
  }

  /// A character outside ASCII is named by its code point too: an invisible one (U+200B, a zero
  /// width space pasted from a web page) would otherwise print as nothing, and a look-alike
  /// (Cyrillic 'а') as the letter it imitates.
  public static func unknownEscape(at range: SourceRange) -> Diagnostic {
    Diagnostic(
      .error, id: "lex.escape",
      "unknown escape in a string; a string may escape only '\\\"' and '\\\\'", at: range)
  }

  public static func unterminatedString(at range: SourceRange) -> Diagnostic {
    Diagnostic(
      .error, id: "lex.string", "unterminated string: a string ends with '\"' on its line",
      at: range)
  }

  public static func unexpectedCharacter(_ text: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(
      .error, id: "lex.character", "unexpected character \(describeCharacter(text))", at: range)
  }

  static func describeCharacter(_ text: String) -> String {
    let scalars = Array(text.unicodeScalars)
    guard scalars.contains(where: { !$0.isASCII || $0.properties.generalCategory == .control })
    else { return "'\(text)'" }
    let named = scalars.map { scalar in
      let code =
        "U+" + String(repeatElement("0", count: max(0, 4 - String(scalar.value, radix: 16).count)))
        + String(scalar.value, radix: 16, uppercase: true)
      return scalar.properties.name.map { "\(code) \($0.lowercased())" } ?? code
    }.joined(separator: ", ")
    let invisible = scalars.allSatisfy { scalar in
      switch scalar.properties.generalCategory {
      case .format, .control, .spaceSeparator, .lineSeparator, .paragraphSeparator,
        .nonspacingMark, .enclosingMark, .unassigned, .privateUse:
        true
      default: false
      }
    }
    return invisible ? "\(named) (invisible)" : "'\(text)' (\(named))"
  }

  public static func unknownFunction(_ name: String, suggestion: String?, at range: SourceRange)
    -> Diagnostic
  {
    Diagnostic(
      .error, id: "name.function",
      "unknown function '\(name)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? ""), at: range
    )
  }

  public static func unknownActivation(_ name: String, suggestion: String?, at range: SourceRange)
    -> Diagnostic
  {
    Diagnostic(
      .error, id: "dense.activation",
      "'\(name)' is not an activation (an elementwise function, softmax, log_softmax, prelu or maxout)"
        + (suggestion.map { "; did you mean '\($0)'?" } ?? ""), at: range)
  }

  public static func unknownName(_ name: String, suggestion: String?, at range: SourceRange)
    -> Diagnostic
  {
    Diagnostic(
      .error, id: "name.unknown",
      "unknown name '\(name)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? ""), at: range)
  }

  public static func wrongArgumentCount(
    _ function: String, expected: String, got: Int, at range: SourceRange
  ) -> Diagnostic {
    Diagnostic(.error, id: "call.arity", "'\(function)' takes \(expected), got \(got)", at: range)
  }
}
