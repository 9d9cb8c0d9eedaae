import FFCDiagnostics

// The messages of `load(...)`, which gives a parameter its value from a safetensors file, as
// factories in the style of Diagnostic+Messages.swift. Each names the file as the program wrote
// it, and points at the call.

extension Diagnostic {
  public static func loadUsage(_ problem: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(
      .error, id: "load.usage",
      "\(problem); write load(\"weights.safetensors\") or load(\"weights.safetensors\", \"fc1.weight\")",
      at: range)
  }

  /// `problem` says what is wrong with the file (a `FormatError`'s description names it).
  public static func loadFile(_ problem: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(.error, id: "load.file", "cannot load \(problem)", at: range)
  }

  public static func loadMissing(
    _ tensor: String, file: String, suggestion: String?, available: Int, at range: SourceRange
  ) -> Diagnostic {
    let hint =
      suggestion.map { "; did you mean '\($0)'?" }
      ?? (available == 0 ? "; it holds no tensors" : "")
    return Diagnostic(
      .error, id: "load.missing", "'\(file)' has no tensor '\(tensor)'\(hint)", at: range)
  }

  public static func loadShape(
    _ tensor: String, file: String, found: String, parameter: String, declared: String,
    at range: SourceRange
  ) -> Diagnostic {
    Diagnostic(
      .error, id: "load.shape",
      "tensor '\(tensor)' in '\(file)' has shape \(found), but '\(parameter)' is declared \(declared)",
      at: range)
  }

  /// The program was saved with other weights than the file holds: a pair from two saves, or a
  /// save that stopped between writing the weights and writing the program.
  public static func loadDigest(
    file: String, expected: String, found: String, at range: SourceRange
  ) -> Diagnostic {
    let has = found == "none" ? "has no digest" : "holds weights with digest \(found)"
    return Diagnostic(
      .error, id: "load.digest",
      "'\(file)' is not the weights file this program was saved with: the program expects digest \(expected), but the file \(has) (a program and weights from different saves, or a save interrupted between the two files); save the pair again, or remove 'digest=' to use this file anyway",
      at: range)
  }
}
