/// A point in a source file: a UTF-8 offset plus the 1-based line and column (in Characters).
public struct SourceLocation: Hashable, Comparable, Sendable {
  public let offset: Int
  public let line: Int
  public let column: Int

  public init(offset: Int, line: Int, column: Int) {
    self.offset = offset
    self.line = line
    self.column = column
  }

  public static func < (a: SourceLocation, b: SourceLocation) -> Bool { a.offset < b.offset }
}

/// A half-open span of a file. Every graph node carries one through every pass so that any error,
/// however late, can point at the user's text.
public struct SourceRange: Hashable, Sendable, CustomStringConvertible {
  public let file: String
  public let start: SourceLocation
  public let end: SourceLocation
  /// For what a function's call made: where the outermost call starts (`b1 = block(x, 8)`,
  /// `h = repeat(40, layer, X, 4)`), beside the body's range; nil elsewhere.
  public let call: SourceLocation?

  public init(
    file: String, start: SourceLocation, end: SourceLocation, call: SourceLocation? = nil
  ) {
    self.file = file
    self.start = start
    self.end = end
    self.call = call
  }

  /// This range, made by the call starting at `call` (a range that has its call keeps it).
  public func called(at call: SourceLocation?) -> SourceRange {
    guard let call, self.call == nil else { return self }
    return SourceRange(file: file, start: start, end: end, call: call)
  }

  /// `line 4`, or `line 4 (call at line 9)` for what a call made: how printed graphs tag a value.
  public var lineTag: String {
    "line \(start.line)" + (call.map { " (call at line \($0.line))" } ?? "")
  }

  /// `file:line:col`, the prefix of every rendered diagnostic.
  public var description: String { "\(file):\(start.line):\(start.column)" }
}
