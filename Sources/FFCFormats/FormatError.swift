/// A file that cannot be read as its format says: names the file (as the user named it) and what
/// is wrong with it, in words, so every reader's refusal reads the same way.
public struct FormatError: Error, Sendable, Equatable, CustomStringConvertible {
  public let file: String
  public let problem: String

  public init(_ file: String, _ problem: String) {
    self.file = file
    self.problem = problem
  }

  /// `'w.safetensors': the header length (900) runs past the end of the file (64 bytes)`.
  public var description: String { "'\(file)': \(problem)" }
}
