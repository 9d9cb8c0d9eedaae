import FFCDiagnostics

// Every message about data files (`data.*`, with a range in the CSV file or the program) and about
// `--set` options (`set.*`, with no range: the option is not in a file, so the message starts with
// the option as typed), in alphabetical order. Wording as in Diagnostic+Messages.swift.

extension Diagnostic {
  /// A NumPy array that does not fit the program (`ArrayBinder`): `message` names the file.
  public static func dataArray(_ message: String, at range: SourceRange?) -> Diagnostic {
    Diagnostic(.error, id: "data.array", message, at: range)
  }

  public static func dataColumnCount(
    _ expected: Int, breakdown: String, found: Int, hint: String?, at range: SourceRange
  ) -> Diagnostic {
    let detail = breakdown.isEmpty ? "" : " (\(breakdown))"
    let tail = hint.map { "; \($0)" } ?? ""
    return Diagnostic(
      .error, id: "data.column-count",
      "expected \(plural(expected, "column"))\(detail), found \(found)\(tail)", at: range)
  }

  public static func dataDuplicateColumn(_ message: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(.error, id: "data.duplicate-column", message, at: range)
  }

  /// `path` is the CSV file as the user named it.
  public static func dataEmpty(_ path: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(.error, id: "data.empty", "'\(path)' has no data rows", at: range)
  }

  public static func dataEmptyField(inHeader: Bool, at range: SourceRange) -> Diagnostic {
    Diagnostic(
      .error, id: "data.empty-field", inHeader ? "empty column name" : "empty field", at: range)
  }

  /// `missing` names the header's columns that a short row lacks (empty without a header).
  public static func dataFieldCount(
    expected: Int, found: Int, missing: [String], at range: SourceRange
  ) -> Diagnostic {
    let tail = missing.isEmpty ? "" : "; missing " + quotedList(missing)
    return Diagnostic(
      .error, id: "data.field-count",
      "expected \(plural(expected, "field")), found \(found)\(tail)", at: range)
  }

  public static func dataLabelNotWhole(_ message: String, at range: SourceRange?) -> Diagnostic {
    Diagnostic(.error, id: "data.label-not-whole", message, at: range)
  }

  public static func dataLabelRange(_ message: String, at range: SourceRange?) -> Diagnostic {
    Diagnostic(.error, id: "data.label-range", message, at: range)
  }

  public static func dataMissingColumn(_ message: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(.error, id: "data.missing-column", message, at: range)
  }

  public static func dataNotANumber(_ text: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(
      .error, id: "data.not-a-number",
      "\(shown(text)) is not a number\(separatorHint(text).map { "; \($0)" } ?? "")", at: range)
  }

  /// A field that holds a semicolon or a tab is most likely a whole row of a file separated by
  /// them (as spreadsheets in many locales write CSV).
  static func separatorHint(_ field: String) -> String? {
    for (separator, name) in [(";", "semicolons"), ("\t", "tabs")] where field.contains(separator) {
      return
        "the file seems to separate its fields with \(name), and ffc reads comma-separated values (replace them with commas)"
    }
    return nil
  }

  /// `more`: how many other values of the file do the same.
  public static func dataUnderflow(
    _ value: String, becomes: String, precision: String, more: Int, at range: SourceRange
  ) -> Diagnostic {
    let others = more == 0 ? "" : " (and \(plural(more, "other value")) of the file)"
    return Diagnostic(
      .warning, id: "data.underflow",
      "\(value) becomes \(becomes) in \(precision)\(others); --precision f64 holds it",
      at: range)
  }

  public static func dataNotFinite(_ text: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(.error, id: "data.not-finite", "\(shown(text)) is not a finite number", at: range)
  }

  public static func dataQuote(_ message: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(.error, id: "data.quote", message, at: range)
  }

  public static func dataSetColumn(_ column: String, _ name: String, at range: SourceRange)
    -> Diagnostic
  {
    Diagnostic(
      .error, id: "data.set-column",
      "column '\(column)' feeds '\(name)', which --set already gives; remove the column or the --set",
      at: range)
  }

  /// `range` is the declaration in the program when known, else the start of the CSV file.
  public static func dataShape(_ message: String, at range: SourceRange?) -> Diagnostic {
    Diagnostic(.error, id: "data.shape", message, at: range)
  }

  public static func dataUnknownColumn(_ message: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(.error, id: "data.unknown-column", message, at: range)
  }

  /// A data file whose values, once read, fail its check (a deflated `.npz` member's CRC-32 or
  /// size): `problem` names the file.
  public static func dataUnreadable(_ problem: String) -> Diagnostic {
    Diagnostic(.error, id: "data.unreadable", "cannot read \(problem)", at: nil)
  }

  public static func setConst(_ option: String, _ name: String) -> Diagnostic {
    Diagnostic(
      .error, id: "set.const",
      "\(option): '\(name)' is a const; only input, target, label and param declarations can be set",
      at: nil)
  }

  public static func setCount(_ option: String, _ message: String) -> Diagnostic {
    Diagnostic(.error, id: "set.count", "\(option): \(message)", at: nil)
  }

  public static func setLabelNotWhole(_ option: String, _ message: String) -> Diagnostic {
    Diagnostic(.error, id: "set.label-not-whole", "\(option): \(message)", at: nil)
  }

  public static func setLabelRange(_ option: String, _ message: String) -> Diagnostic {
    Diagnostic(.error, id: "set.label-range", "\(option): \(message)", at: nil)
  }

  public static func setNotANumber(_ option: String, _ text: String) -> Diagnostic {
    Diagnostic(.error, id: "set.not-a-number", "\(option): \(shown(text)) is not a number", at: nil)
  }

  public static func setNotFinite(_ option: String, _ text: String) -> Diagnostic {
    Diagnostic(
      .error, id: "set.not-finite", "\(option): \(shown(text)) is not a finite number", at: nil)
  }

  public static func setShape(_ option: String, _ message: String) -> Diagnostic {
    Diagnostic(.error, id: "set.shape", "\(option): \(message)", at: nil)
  }

  public static func setSymbol(_ message: String) -> Diagnostic {
    Diagnostic(.error, id: "set.symbol", message, at: nil)
  }

  public static func setSyntax(_ option: String, _ message: String) -> Diagnostic {
    Diagnostic(.error, id: "set.syntax", "\(option): \(message)", at: nil)
  }

  public static func setComputed(_ option: String, _ name: String) -> Diagnostic {
    Diagnostic(
      .error, id: "set.computed",
      "\(option): '\(name)' is computed by the program; --set gives inputs, targets, labels and parameters",
      at: nil)
  }

  public static func setUnknownName(_ option: String, _ name: String, suggestion: String?)
    -> Diagnostic
  {
    Diagnostic(
      .error, id: "set.unknown-name",
      "\(option): the program declares no '\(name)'"
        + (suggestion.map { "; did you mean '\($0)'?" } ?? ""), at: nil)
  }
}

/// `'a', 'b', 'c' and 2 more`: long lists (64 pixel columns) stay one line.
func quotedList(_ names: [String], limit: Int = 4) -> String {
  let shown = names.prefix(limit).map { "'\($0)'" }.joined(separator: ", ")
  return names.count > limit ? "\(shown) and \(names.count - limit) more" : shown
}

/// A field quoted in a message, shortened when long, so that one bad field of a million
/// characters does not flood the terminal.
func shown(_ text: String) -> String {
  text.count > 40 ? "'\(text.prefix(37))...'" : "'\(text)'"
}
