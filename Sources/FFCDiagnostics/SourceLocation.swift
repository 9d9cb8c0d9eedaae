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

  public init(file: String, start: SourceLocation, end: SourceLocation) {
    self.file = file
    self.start = start
    self.end = end
  }

  /// `file:line:col`, the prefix of every rendered diagnostic.
  public var description: String { "\(file):\(start.line):\(start.column)" }
}
