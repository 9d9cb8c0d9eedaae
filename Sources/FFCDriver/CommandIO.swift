import Foundation

/// Where a command writes. Tests capture both streams in memory; `main` writes them to the
/// process's stdout and stderr.
public struct CommandIO {
  public var standardOutput = ""
  public var standardError = ""
  /// Whether stderr is a terminal (colour for diagnostics under `--color auto`).
  public var errorIsTerminal = false
  public var currentDirectory: String

  public init(currentDirectory: String = FileManager.default.currentDirectoryPath) {
    self.currentDirectory = currentDirectory
  }

  public mutating func out(_ text: String) { standardOutput += text }
  public mutating func err(_ text: String) { standardError += text }

  /// A path as given, resolved against the current directory.
  public func resolve(_ path: String) -> String {
    path.hasPrefix("/") ? path : currentDirectory + "/" + path
  }
}
