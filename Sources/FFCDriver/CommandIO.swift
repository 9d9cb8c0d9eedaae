import Foundation

/// Where a command writes. Tests capture both streams in memory; `main` writes them to the
/// process's stdout and stderr.
public struct CommandIO {
  public var standardOutput = ""
  public var standardError = ""
  /// Whether stderr is a terminal (colour for diagnostics under `--color auto`).
  public var errorIsTerminal = false
  /// Whether stdout is a terminal (`train` then redraws one progress line per epoch).
  public var outputIsTerminal = false
  /// When set, output goes straight to these instead of being collected (the `ffc` binary streams,
  /// so `train` shows progress as it goes; tests collect).
  public var writeOutput: ((String) -> Void)?
  public var writeError: ((String) -> Void)?
  public var currentDirectory: String
  /// Reads all of standard input (for the file name `-`); tests supply text instead.
  public var readStandardInput: () -> String? = {
    String(data: FileHandle.standardInput.readDataToEndOfFile(), encoding: .utf8)
  }

  public init(currentDirectory: String = FileManager.default.currentDirectoryPath) {
    self.currentDirectory = currentDirectory
  }

  public mutating func out(_ text: String) {
    if let writeOutput { writeOutput(text) } else { standardOutput += text }
  }
  public mutating func err(_ text: String) {
    if let writeError { writeError(text) } else { standardError += text }
  }

  /// The text of a program file, or of standard input for `-`; the name to show in messages.
  public func readProgram(_ path: String) throws(SafeFile.Failure) -> (
    text: String, displayName: String
  ) {
    if path == "-" {
      guard let text = readStandardInput() else {
        throw SafeFile.Failure(message: "cannot read standard input: it is not UTF-8 text")
      }
      return (text, "<stdin>")
    }
    return (try SafeFile.read(resolve(path), displayName: path), path)
  }

  /// A path as given, resolved against the current directory.
  public func resolve(_ path: String) -> String {
    path.hasPrefix("/") ? path : currentDirectory + "/" + path
  }
}
