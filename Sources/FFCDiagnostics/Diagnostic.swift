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
  /// The file a diagnostic without a range is about: a whole-program error ("the program declares
  /// no loss") names its file as swiftc and rustc do when no line applies. Nil for a message
  /// about no file (a command-line mistake).
  public let file: String?
  /// Where the caret goes inside `range` (an operator inside the expression it joins); the start
  /// of the range when nil.
  public let focus: SourceLocation?
  public var notes: [Note]

  public init(
    _ severity: Severity, id: String, _ message: String, at range: SourceRange?,
    focus: SourceLocation? = nil, notes: [Note] = []
  ) {
    self.init(severity, id: id, message, at: range, file: nil, focus: focus, notes: notes)
  }

  /// A diagnostic about a whole file, with no place in it.
  public init(_ severity: Severity, id: String, _ message: String, file: String) {
    self.init(severity, id: id, message, at: nil, file: file, focus: nil, notes: [])
  }

  private init(
    _ severity: Severity, id: String, _ message: String, at range: SourceRange?, file: String?,
    focus: SourceLocation?, notes: [Note]
  ) {
    self.severity = severity
    self.id = id
    self.message = message
    self.range = range
    self.file = range?.file ?? file
    self.focus = focus
    self.notes = notes
  }

  /// `file:line:col` of the caret; only the file for a diagnostic about a whole file.
  public var locationText: String? {
    guard let range else { return file }
    let point = focus ?? range.start
    return "\(range.file):\(point.line):\(point.column)"
  }

  /// A bug in ffc rather than a mistake in the user's program (see `Diagnostic.internalError`).
  public var isInternal: Bool { id.hasPrefix("internal.") }

  /// The diagnostic, about `file` when it has no place in any file; internal errors stay about
  /// ffc.
  public func inFile(_ path: String) -> Diagnostic {
    guard file == nil, !isInternal else { return self }
    return Diagnostic(
      severity, id: id, message, at: nil, file: path, focus: focus, notes: notes)
  }

  public func replacingMessage(_ message: String) -> Diagnostic {
    Diagnostic(severity, id: id, message, at: range, file: file, focus: focus, notes: notes)
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
      let keyX = (x.file ?? "", x.range?.start.offset ?? -1)
      let keyY = (y.file ?? "", y.range?.start.offset ?? -1)
      if keyX != keyY { return keyX < keyY }
      return a.offset < b.offset
    }.map(\.element)
  }
}
