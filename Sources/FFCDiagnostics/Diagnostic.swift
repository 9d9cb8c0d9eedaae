public enum Severity: String, Sendable, Comparable {
  case error, warning, note

  private var rank: Int {
    switch self {
    case .error: 0
    case .warning: 1
    case .note: 2
    }
  }
  public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// A secondary message attached to a diagnostic, with its own location ("declared here").
public struct Note: Sendable, Equatable {
  public let message: String
  public let range: SourceRange?

  public init(_ message: String, at range: SourceRange?) {
    self.message = message
    self.range = range
  }
}

/// A message for the user, as a value: tests assert on `id` and `message`; the renderer prints it.
/// Every message is made by a factory in `Diagnostic+Messages.swift`.
public struct Diagnostic: Sendable, Equatable, Error {
  public let severity: Severity
  /// Stable identifier such as "shape.incompatible", for tests and documentation.
  public let id: String
  public let message: String
  public let range: SourceRange?
  /// Where the caret goes inside `range` (an operator inside the expression it joins); the start
  /// of the range when nil.
  public let focus: SourceLocation?
  public var notes: [Note]

  public init(
    _ severity: Severity, id: String, _ message: String, at range: SourceRange?,
    focus: SourceLocation? = nil, notes: [Note] = []
  ) {
    self.severity = severity
    self.id = id
    self.message = message
    self.range = range
    self.focus = focus
    self.notes = notes
  }

  /// `file:line:col` of the caret.
  public var locationText: String? {
    guard let range else { return nil }
    let point = focus ?? range.start
    return "\(range.file):\(point.line):\(point.column)"
  }

  public func replacingMessage(_ message: String) -> Diagnostic {
    Diagnostic(severity, id: id, message, at: range, focus: focus, notes: notes)
  }

  public func with(note: Note) -> Diagnostic {
    var copy = self
    copy.notes.append(note)
    return copy
  }
}

/// Collects diagnostics from one run of the pipeline and hands them back sorted by location.
public struct DiagnosticBag: Sendable {
  public private(set) var all: [Diagnostic] = []

  public init() {}

  public mutating func add(_ diagnostic: Diagnostic) { all.append(diagnostic) }
  public mutating func add(contentsOf other: [Diagnostic]) { all.append(contentsOf: other) }

  public var hasErrors: Bool { all.contains { $0.severity == .error } }
  public var errors: [Diagnostic] { all.filter { $0.severity == .error } }

  /// Sorted by file, then position, then severity; stable for equal keys, so output is deterministic.
  public var sorted: [Diagnostic] {
    all.enumerated().sorted { a, b in
      let (x, y) = (a.element, b.element)
      let keyX = (x.range?.file ?? "", x.range?.start.offset ?? -1)
      let keyY = (y.range?.file ?? "", y.range?.start.offset ?? -1)
      if keyX != keyY { return keyX < keyY }
      return a.offset < b.offset
    }.map(\.element)
  }
}
