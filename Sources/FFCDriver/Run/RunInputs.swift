import FFCData
import FFCIR

/// The values a run feeds the program: `--set` values, and a data file's rows.
struct RunInputs {
  /// `--set name=...`, in the order given (a later one for the same name wins).
  var setValues: [String: Tensor] = [:]
  var dataFile: SourceFile?
  var data: DataSet?
  /// The data file's underflow warning in each precision, found while the CSV table is at hand:
  /// the table itself is not kept, so its values are not held beside the data set's.
  private var underflowWarnings: [Precision: Diagnostic] = [:]

  /// A warning at the first data value that is not 0 but becomes 0 or a subnormal in
  /// `precision` (1e-50 in f32), as for the program's constants.
  func underflowWarning(in precision: Precision) -> Diagnostic? { underflowWarnings[precision] }

  private static func underflowWarning(_ table: CSVTable, in precision: Precision) -> Diagnostic? {
    guard let (first, count) = table.underflows(in: precision) else { return nil }
    let (x, range) = first
    let becomes = precision == .f32 && Float(x) == 0 ? "0" : "a subnormal number"
    return .dataUnderflow(
      TensorFormat.number(x), becomes: becomes, precision: precision.description, more: count - 1,
      at: range)
  }

  /// Parses every `--set` and reads and binds the data file. Errors are diagnostics located in the
  /// data file (or unlocated, for `--set`). `narrowingTo: .f32` (an f32 `ffc run`, with
  /// `keepingStored`): a CSV table whose columns are all blocks of declarations is held as Floats
  /// (`DataBinder.bind`), for the f32 plan alone to read.
  static func gather(
    sets: [String], data dataPaths: [String], graph: Graph, io: CommandIO,
    keepingStored: Bool = false, narrowingTo precision: Precision = .f64
  ) throws(Diagnostic) -> RunInputs {
    var inputs = RunInputs()
    var ordered: [(name: String, value: Tensor)] = []
    for text in sets {
      let (name, value) = try SetValue.parse(text, graph: graph)
      guard inputs.setValues[name] == nil else {
        throw Diagnostic(
          .error, id: "set.twice", "--set gives '\(name)' twice; give each value once", at: nil)
      }
      inputs.setValues[name] = value
      ordered.append((name, value))
    }
    guard let dataPath = dataPaths.last else {
      _ = try SymbolBindings.resolve(graph: graph, sets: ordered, data: nil)
      return inputs
    }
    if NumPyInputs.applies(to: dataPaths) {
      inputs.data = try NumPyInputs.read(
        dataPaths, graph: graph, setNames: Set(inputs.setValues.keys), io: io,
        keepingStored: keepingStored)
      _ = try SymbolBindings.resolve(graph: graph, sets: ordered, data: inputs.data)
      return inputs
    }
    guard dataPaths.count == 1 else {
      throw Diagnostic(
        .error, id: "data.unreadable",
        "--data takes one CSV file; NumPy arrays go one per declaration (--data X=x.npy)", at: nil)
    }
    guard !dataPath.isEmpty else {
      throw Diagnostic(.error, id: "data.unreadable", "--data needs a file name", at: nil)
    }
    // Parsed block by block; the text is read again only if a diagnostic quotes it.
    let resolved = io.resolve(dataPath)
    let blocks: SafeFile.Blocks
    do {
      blocks = try SafeFile.Blocks(resolved, displayName: dataPath)
    } catch {
      throw Diagnostic(.error, id: "data.unreadable", error.message, at: nil)
    }
    let file = SourceFile(path: dataPath) {
      (try? SafeFile.readBytes(resolved, displayName: dataPath)).map { Array($0) } ?? []
    }
    inputs.dataFile = file
    let table = try CSVReader.read(file, sizeHint: blocks.size) { bytes throws(Diagnostic) in
      do throws(SafeFile.Failure) {
        return try blocks.next(into: &bytes)
      } catch {
        throw Diagnostic(.error, id: "data.unreadable", error.message, at: nil)
      }
    }
    for precision in Precision.allCases {
      inputs.underflowWarnings[precision] = underflowWarning(table, in: precision)
    }
    // Its last use: the binder may reorder the table's values in place (`groupColumns`).
    inputs.data = try DataBinder.bind(
      consume table, graph: graph, setNames: Set(inputs.setValues.keys),
      keepingStored: keepingStored, narrowingTo: precision)
    _ = try SymbolBindings.resolve(graph: graph, sets: ordered, data: inputs.data)
    return inputs
  }

  /// Per-example programs over a file run once per row; everything else runs once.
  var isPerExample: Bool { data?.layout == .perExample }

  /// A batch program's data kept where it was read (`gather`'s `keepingStored`: mapped `.npy`
  /// files, the CSV table's values), which `feeds` leaves out: the plan fills its buffers from
  /// them in its own precision, with no f64 copy per declaration. (A per-example program's are
  /// read a row at a time by `feeds(row:)`.)
  var storedFeeds: [String: StoredTensor] {
    var stored: [String: StoredTensor] = [:]
    guard !isPerExample else { return stored }
    for (name, value) in data?.stored ?? [] { stored[name] = value }
    return stored
  }

  /// The feeds of one run: the file's values (all rows, or row `row`), then `--set` on top.
  func feeds(row: Int? = nil) -> [String: Tensor] {
    var feeds: [String: Tensor] = [:]
    if let data {
      for (name, value) in row.map(data.row) ?? data.feeds { feeds[name] = value }
    }
    for (name, value) in setValues { feeds[name] = value }
    return feeds
  }
}
