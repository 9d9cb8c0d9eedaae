import Foundation

/// Where `ffc train --save out.ffn` puts the parameters too large to read well as literals:
/// `out.safetensors` in the program's directory, which the saved program names by its base name
/// (`load("out.safetensors")`), so the pair can be moved together.
enum SavedWeights {
  /// Parameters of at least this many elements (a 64×64 matrix) go to the file: below it a
  /// literal is short enough to read, above it the text costs more than it shows.
  static let defaultMinimum = 4096

  /// `out.ffn` -> `out.safetensors`; any other name gets the extension added. Nil for a device
  /// (`--save /dev/stdout`), which gets every value as a literal.
  static func path(besides program: String) -> String? {
    guard !SafeFile.isDevice(program) else { return nil }
    let stem = program.hasSuffix(".ffn") ? String(program.dropLast(4)) : program
    return stem + ".safetensors"
  }

  /// The file's name without its directory, as the program names it.
  static func name(_ path: String) -> String {
    path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
  }
}
