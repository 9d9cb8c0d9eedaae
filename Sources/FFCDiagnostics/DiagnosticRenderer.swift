/// Renders diagnostics the way clang and swift-frontend do:
///
///     net.ffn:4:14: error: cannot multiply [2, 3] by [4]: inner dimensions differ
///       4 | h = relu(W1 @ x)
///         |          ~~~^~~
public struct DiagnosticRenderer: Sendable {
  public var useColor: Bool
  private let files: [String: SourceFile]

  public init(files: [SourceFile], useColor: Bool = false) {
    var byPath: [String: SourceFile] = [:]
    for file in files { byPath[file.path] = file }
    self.files = byPath
    self.useColor = useColor
  }

  public func render(_ diagnostics: [Diagnostic]) -> String {
    diagnostics.map(render).joined()
  }

  /// A diagnostic with no file (a command-line mistake) reads `ffc: error: ...`; an internal
  /// error is labelled so and asks for a report.
  public func render(_ diagnostic: Diagnostic) -> String {
    let label = diagnostic.isInternal ? "internal error" : diagnostic.severity.rawValue
    var out = header(
      diagnostic.severity, label, diagnostic.message, diagnostic.locationText)
    out += excerpt(diagnostic.range, focus: diagnostic.focus)
    for note in diagnostic.notes {
      out += header(.note, Severity.note.rawValue, note.message, note.range?.description)
      out += excerpt(note.range, focus: nil)
    }
    if diagnostic.isInternal {
      out += "  this is a bug in ffc; please report it with the program that caused it\n"
    }
    return out
  }

  private func header(_ severity: Severity, _ label: String, _ message: String, _ location: String?)
    -> String
  {
    let place = location.map { "\($0): " } ?? (severity == .note ? "" : "ffc: ")
    return bold(place) + paint(label + ":", severity) + " " + bold(message) + "\n"
  }

  /// The source line with a gutter, then tildes under the range and a caret at its focus.
  private func excerpt(_ range: SourceRange?, focus: SourceLocation?) -> String {
    guard let range, let file = files[range.file], range.start.line <= file.lineCount else {
      return ""
    }
    let line = range.start.line
    let text = file.lineText(line).replacingTabs()
    let gutter = String(line)
    let pad = String(repeating: " ", count: gutter.count)
    let lineLength = text.count
    let startColumn = min(range.start.column, lineLength + 1)
    let endColumn: Int
    if range.end.line == line {
      endColumn = max(startColumn + 1, min(range.end.column, lineLength + 1))
    } else {
      endColumn = max(startColumn + 1, lineLength + 1)
    }
    var marker = Array(
      String(repeating: " ", count: startColumn - 1) + "^"
        + String(repeating: "~", count: max(0, endColumn - startColumn - 1)))
    if let focus, focus.line == line, focus.column > startColumn, focus.column < endColumn {
      marker[startColumn - 1] = "~"
      marker[focus.column - 1] = "^"
    }
    let (shownText, shownMarker) = Self.window(Array(text), marker, around: startColumn - 1)
    return " \(gutter) | \(shownText)\n \(pad) | \(paint(shownMarker, .note))\n"
  }

  /// At most `Self.maximumWidth` columns of a long line (a data file's field of a million digits),
  /// around the caret, with `…` where text is cut; the marker is cut to match.
  static let maximumWidth = 120

  static func window(_ text: [Character], _ marker: [Character], around start: Int) -> (
    String, String
  ) {
    guard text.count > maximumWidth || marker.count > maximumWidth else {
      return (String(text), String(marker))
    }
    let from = max(0, min(start - 20, text.count - maximumWidth))
    let to = min(max(text.count, marker.count), from + maximumWidth)
    let head = from > 0 ? "…" : ""
    let tail = to < text.count ? "…" : ""
    let shownText = head + String(text[min(from, text.count)..<min(to, text.count)]) + tail
    let shownMarker =
      (from > 0 ? " " : "") + String(marker[min(from, marker.count)..<min(to, marker.count)])
    return (shownText, shownMarker)
  }

  private func paint(_ text: String, _ severity: Severity) -> String {
    guard useColor else { return text }
    let code: String
    switch severity {
    case .error: code = "\u{1B}[1;31m"
    case .warning: code = "\u{1B}[1;35m"
    case .note: code = "\u{1B}[1;32m"
    }
    return code + text + "\u{1B}[0m"
  }

  private func bold(_ text: String) -> String {
    useColor ? "\u{1B}[1m" + text + "\u{1B}[0m" : text
  }
}

extension String {
  /// Tabs become single spaces so that the caret column (counted in Characters) lines up.
  fileprivate func replacingTabs() -> String {
    String(map { $0 == "\t" ? " " : $0 })
  }
}
