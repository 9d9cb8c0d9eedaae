import FFCDiagnostics

// The messages of `dense`'s starting values and of `ProgramWriter`, as factories with stable ids
// in the style of Diagnostic+Messages.swift. The `save.*` ones are raised when a trained program
// cannot be written back: a value of the wrong name or shape is a bug in the caller; a value a
// literal cannot hold (NaN, infinity) usually means training diverged.

extension Diagnostic {
  public static func denseValueShape(
    _ name: String, needed: String, found: String, at range: SourceRange
  ) -> Diagnostic {
    Diagnostic(
      .error, id: "declaration.shape",
      "the value of '\(name)' has shape \(found), but the layer needs \(needed)", at: range)
  }

  public static func saveInternal(_ message: String, at range: SourceRange?) -> Diagnostic {
    Diagnostic(.error, id: "save.internal", "\(message) (a bug in ffc)", at: range)
  }

  /// `element` is "its value" or "its element [0, 3]"; `limit` names a precision the number
  /// overflows ("32-bit float"), nil for NaN and infinities.
  public static func saveNonFinite(
    _ name: String, element: String, value: String, limit: String?, at range: SourceRange?
  ) -> Diagnostic {
    let problem =
      limit.map { "is \(value), beyond the range of a \($0)" }
      ?? "is \(value), and a literal holds only finite numbers"
    return Diagnostic(
      .error, id: "save.nonfinite",
      "cannot save '\(name)': \(element) \(problem); did training diverge?", at: range)
  }

  public static func saveShape(
    _ name: String, declared: String, found: String, at range: SourceRange?
  ) -> Diagnostic {
    Diagnostic(
      .error, id: "save.shape",
      "cannot save '\(name)': the value has shape \(found), but the program declares \(declared) (a bug in ffc)",
      at: range)
  }

  public static func saveUnknown(_ name: String, suggestion: String?, at range: SourceRange?)
    -> Diagnostic
  {
    Diagnostic(
      .error, id: "save.unknown",
      "cannot save '\(name)': the program has no parameter of that name"
        + (suggestion.map { "; did you mean '\($0)'?" } ?? "") + " (a bug in ffc)", at: range)
  }

  public static func saveTwice(_ name: String) -> Diagnostic {
    Diagnostic(
      .error, id: "save.duplicate", "cannot save '\(name)': it is given two values (a bug in ffc)",
      at: nil)
  }
}
