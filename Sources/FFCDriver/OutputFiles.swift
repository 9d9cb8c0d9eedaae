import Foundation

/// The files a command writes, checked against the files it reads before anything runs: an
/// output naming an input (by file identity, so a link or another spelling of the same file is
/// found) would destroy the input, and two outputs naming one file would destroy each other.
struct OutputFiles {
  /// A file named on the command line: the flag that names it (`--data`, `-o`, or `the program`
  /// for the positional file) and the path as given.
  struct Named {
    let flag: String
    let path: String
  }

  var inputs: [Named] = []
  var outputs: [Named] = []

  mutating func input(_ flag: String, _ path: String?) {
    if let path, path != "-" { inputs.append(Named(flag: flag, path: path)) }
  }

  mutating func output(_ flag: String, _ path: String?) {
    if let path { outputs.append(Named(flag: flag, path: path)) }
  }

  /// The first clash, as a message; `allowed` lists (output flag, input flag) pairs that may name
  /// one file because the input is read in full before the output is written over it.
  func clash(_ io: CommandIO, allowed: [(String, String)] = []) -> String? {
    for (index, output) in outputs.enumerated() {
      let target = io.resolve(output.path)
      for input in inputs where SafeFile.sameFile(target, io.resolve(input.path)) {
        if allowed.contains(where: { $0 == (output.flag, input.flag) }) { continue }
        return
          "'\(output.flag) \(output.path)' would write over \(describe(input)); ffc does not write over a file it reads"
      }
      for other in outputs[..<index] where sameTarget(target, io.resolve(other.path)) {
        return
          "'\(other.flag) \(other.path)' and '\(output.flag) \(output.path)' name the same file"
      }
    }
    return nil
  }

  private func describe(_ input: Named) -> String {
    input.flag.hasPrefix("-")
      ? "the file '\(input.flag)' reads (\(input.path))" : "\(input.flag) '\(input.path)'"
  }

  /// Two outputs clash when they are one file, existing or not (devices aside).
  private func sameTarget(_ a: String, _ b: String) -> Bool {
    guard !SafeFile.isDevice(a) else { return false }
    return SafeFile.sameFile(a, b)
      || SafeFile.followingLinks(a).standardizedPath == SafeFile.followingLinks(b).standardizedPath
  }
}

extension String {
  fileprivate var standardizedPath: String {
    (self as NSString).standardizingPath
  }
}
