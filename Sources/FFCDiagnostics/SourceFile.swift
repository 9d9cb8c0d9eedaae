import Foundation

/// The text of one source file and a table of where its lines start, so that a byte offset can be
/// turned into a 1-based line and a 1-based column counted in Characters. The text is held once,
/// as UTF-8 bytes: a large CSV file would otherwise be in memory twice.
///
/// A file can also be read only when first needed (`init(path:loading:)`): a large CSV file is
/// parsed block by block and not kept, and read again only if a diagnostic quotes it.
public struct SourceFile: Sendable {
  public let path: String
  /// The text, decoded from `bytes` on each use (the writer and the tests read it once).
  public var text: String { String(decoding: bytes, as: UTF8.self) }
  /// The text's UTF-8 bytes, made once and shared (the lexer reads them too).
  public var bytes: [UInt8] { storage.contents.bytes }
  private let storage: Storage

  private var contents: Contents { storage.contents }

  /// The bytes with the offsets of their lines. A class, so that a look-up (the parser makes a
  /// range for every token) retains one object, not three arrays.
  final class Contents: Sendable {
    let bytes: [UInt8]
    /// UTF-8 offsets of the first byte of every line.
    let lineStarts: [Int]
    /// Whether each line is pure ASCII, where a column is a byte offset (O(1), so a very long
    /// line costs nothing extra); other lines count Characters.
    let lineIsASCII: [Bool]

    init(_ bytes: [UInt8]) {
      self.bytes = bytes
      var starts = [0]
      var ascii = [true]
      for offset in bytes.indices {
        let byte = bytes[offset]
        if byte == UInt8(ascii: "\n") {
          starts.append(offset + 1)
          ascii.append(true)
        } else if byte >= 0x80 {
          ascii[ascii.count - 1] = false
        }
      }
      self.lineStarts = starts
      self.lineIsASCII = ascii
    }
  }

  /// The contents, given at once or read on first use (once, under a lock). One object shared by
  /// every copy of the file.
  final class Storage: @unchecked Sendable {
    private let eager: Contents?
    private let load: (@Sendable () -> [UInt8])?
    private let lock = NSLock()
    private var loaded: Contents?

    init(_ contents: Contents) {
      eager = contents
      load = nil
    }

    init(loading load: @escaping @Sendable () -> [UInt8]) {
      eager = nil
      self.load = load
    }

    var contents: Contents {
      if let eager { return eager }
      lock.lock()
      defer { lock.unlock() }
      if let loaded { return loaded }
      let made = Contents(load?() ?? [])
      loaded = made
      return made
    }
  }

  public init(path: String, text: String) {
    self.init(path: path, bytes: Array(text.utf8))
  }

  /// A file from its bytes as read, without a String copy; invalid UTF-8 shows as U+FFFD where a
  /// diagnostic quotes it.
  public init(path: String, bytes: [UInt8]) {
    self.path = path
    self.storage = Storage(Contents(bytes))
  }

  /// A file whose bytes `load` gives when they are first needed (a location, an excerpt), read
  /// once; nothing is read if they never are.
  public init(path: String, loading load: @escaping @Sendable () -> [UInt8]) {
    self.path = path
    self.storage = Storage(loading: load)
  }

  public var lineCount: Int { contents.lineStarts.count }

  /// The 1-based line that contains `offset`.
  public func line(containing offset: Int) -> Int {
    Self.line(containing: offset, contents.lineStarts)
  }

  private static func line(containing offset: Int, _ lineStarts: [Int]) -> Int {
    var low = 0
    var high = lineStarts.count - 1
    while low < high {
      let mid = (low + high + 1) / 2
      if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
    }
    return low + 1
  }

  public func location(of offset: Int) -> SourceLocation {
    Self.location(of: offset, contents)
  }

  /// `onLine`: a line that may contain `offset` (a range's end is mostly on its start's line),
  /// checked before the search.
  private static func location(of offset: Int, _ contents: Contents, onLine hint: Int? = nil)
    -> SourceLocation
  {
    let (bytes, lineStarts, lineIsASCII) = (
      contents.bytes, contents.lineStarts, contents.lineIsASCII
    )
    let line: Int
    if let hint, lineStarts[hint - 1] <= offset,
      hint == lineStarts.count || offset < lineStarts[hint]
    {
      line = hint
    } else {
      line = Self.line(containing: offset, lineStarts)
    }
    let start = lineStarts[line - 1]
    let end = min(offset, bytes.count)
    if lineIsASCII[line - 1] {
      return SourceLocation(offset: offset, line: line, column: end - start + 1)
    }
    let prefix = String(decoding: bytes[start..<end], as: UTF8.self)
    return SourceLocation(offset: offset, line: line, column: prefix.count + 1)
  }

  /// The text of a 1-based line, without its line terminator.
  public func lineText(_ line: Int) -> String {
    let (bytes, lineStarts) = (contents.bytes, contents.lineStarts)
    guard line >= 1, line <= lineStarts.count else { return "" }
    let start = lineStarts[line - 1]
    var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
    if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
    return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
  }

  public func range(_ start: Int, _ end: Int) -> SourceRange {
    let contents = self.contents
    let first = Self.location(of: start, contents)
    return SourceRange(
      file: path, start: first,
      end: Self.location(of: max(start, end), contents, onLine: first.line))
  }
}
