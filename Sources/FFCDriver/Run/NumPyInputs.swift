import FFCData
import FFCFormats
import FFCIR

/// `--data` given NumPy arrays: `--data X=x.npy` (or `--data x.npy`, the array named after the
/// file) for each declaration, or one `--data d.npz` whose members are named after them. The
/// files are memory-mapped and converted once; `ArrayBinder` fits them to the program.
enum NumPyInputs {
  /// Whether the `--data` values name NumPy files rather than one CSV file.
  static func applies(to paths: [String]) -> Bool {
    paths.contains { isArchive($0) || isArray($0) }
  }

  static func isArchive(_ path: String) -> Bool { path.hasSuffix(".npz") }
  static func isArray(_ path: String) -> Bool { path.hasSuffix(".npy") }

  /// `X=x.npy` -> ("X", "x.npy"); `dir/x.npy` -> ("x", "dir/x.npy"); nil for another file.
  static func namedArray(_ value: String) -> (name: String, path: String)? {
    guard isArray(value) else { return nil }
    if let equals = value.firstIndex(of: "="), !value[..<equals].contains("/") {
      return (String(value[..<equals]), String(value[value.index(after: equals)...]))
    }
    let file = value.split(separator: "/").last.map(String.init) ?? value
    return (String(file.dropLast(4)), value)
  }

  /// The file a `--data` value reads (without its `NAME=`).
  static func path(_ value: String) -> String { namedArray(value)?.path ?? value }

  /// With `keepingStored`, a batch program's `.npy` arrays stay in their files (`DataSet.stored`)
  /// for the plan to convert straight into its buffers; otherwise every array is read as f64.
  static func read(
    _ paths: [String], graph: Graph, setNames: Set<String>, io: CommandIO,
    keepingStored: Bool = false
  ) throws(Diagnostic) -> DataSet {
    var arrays: [(name: String, value: StoredTensor)] = []
    var sources: [String] = []
    do throws(FormatError) {
      for value in paths {
        if isArchive(value) {
          let file = try MappedFile(io.resolve(value), displayName: value)
          arrays += try NumPyArchive.storedArrays(file)
          sources.append("'\(value)'")
        } else if let (name, path) = namedArray(value) {
          guard !name.isEmpty else {
            throw FormatError(path, "--data needs a name before '=': --data X=\(path)")
          }
          let file = try MappedFile(io.resolve(path), displayName: path)
          arrays.append((name, try NumPy.stored(file, source: path)))
          sources.append("'\(path)'")
        } else {
          throw FormatError(
            value,
            "--data takes one CSV file, or NumPy files (.npy, one per declaration, or one .npz), not both"
          )
        }
      }
    } catch {
      throw Diagnostic(.error, id: "data.unreadable", "cannot read \(error.description)", at: nil)
    }
    for (index, array) in arrays.enumerated()
    where arrays[..<index].contains(where: { $0.name == array.name }) {
      throw Diagnostic(
        .error, id: "data.array", "--data gives the array '\(array.name)' twice", at: nil)
    }
    let source = sources.count == 1 ? sources[0] : "--data"
    return try ArrayBinder.bind(
      arrays, source: source, graph: graph, setNames: setNames, keepingStored: keepingStored)
  }
}
