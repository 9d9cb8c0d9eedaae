import FFCIR

/// Feeds a program's data declarations from named arrays (NumPy `.npy` files, the members of an
/// `.npz` archive): each array gives the declaration of its name, whole.
///
/// - **Layout** as for a CSV file (`DataBinder`): a program whose data has a symbolic dimension
///   runs once on all rows (batch); otherwise once per row.
/// - **Batch.** A declaration with one symbolic dimension takes an array of its rank whose other
///   sizes are the declared ones; the symbol's size is the row count, the same for every such
///   array (`X[N, 4]` takes a [150, 4] array, `X[4, N]` a [4, 150] one). Any other declaration
///   takes an array of exactly its shape, binding its symbols as a default does.
/// - **Per example.** An array is [rows] + the declared shape: one example per leading index.
/// - An array that names no data declaration, or a `--set` one, is an error; a declaration no
///   array names uses its default, or is an error. Labels hold whole numbers as `LabelRule` says.
public enum ArrayBinder {
  /// `source` names where the arrays come from in messages ("'d.npz'", "--data").
  public static func bind(
    _ arrays: [(name: String, value: Tensor)], source: String, graph: Graph,
    setNames: Set<String> = []
  ) throws(Diagnostic) -> DataSet {
    try bind(
      arrays.map { ($0.name, StoredTensor($0.value, source: $0.name)) }, source: source,
      graph: graph, setNames: setNames)
  }

  /// The same from arrays that stay in their files until something reads them. With
  /// `keepingStored`, the arrays stay there (`DataSet.stored`), for a plan or training's rows to
  /// fill their buffers from in their own precision; otherwise they are converted to f64 here.
  public static func bind(
    _ arrays: [(name: String, value: StoredTensor)], source: String, graph: Graph,
    setNames: Set<String> = [], keepingStored: Bool = false
  ) throws(Diagnostic) -> DataSet {
    let data = graph.declarations.filter { $0.kind.isData && !setNames.contains($0.name) }
    let names = data.map(\.name)
    for (name, _) in arrays where !names.contains(name) {
      let what =
        setNames.contains(name)
        ? "'\(name)', which --set gives too"
        : "'\(name)', which names no input, target or label of the program"
          + (EditDistance.closest(to: name, in: names).map { " (did you mean '\($0)'?)" } ?? "")
      throw .dataArray("\(source) gives the array \(what)", at: nil)
    }
    let layout: DataSet.Layout = data.contains { !$0.shape.symbols.isEmpty } ? .batch : .perExample
    var symbols = SymbolTable()
    var rowCount: Int?
    var columns: [(name: String, value: Tensor)] = []
    var stored: [(name: String, value: StoredTensor)] = []
    var examples: [DataSet.Examples] = []
    var defaults: [(name: String, value: Tensor)] = []
    let classes = graph.labelClasses()
    for declaration in data {
      let location = declaration.location
      guard let array = arrays.first(where: { $0.name == declaration.name })?.value else {
        guard let value = declaration.defaultValue else {
          throw .dataArray(
            "no array gives '\(declaration.name)' (\(source) has \(arrays.map { "'\($0.name)'" }.joined(separator: ", ")))",
            at: location)
        }
        try unify(
          &symbols, declaration, declaration.defaultShape ?? value.shape,
          subject: "the default of '\(declaration.name)'")
        defaults.append((declaration.name, value))
        continue
      }
      let subject = "the array '\(declaration.name)' in \(source)"
      try checkLabels(array, declaration, classes, subject)
      let (rows, batchAxis) = try rowsOf(array.shape, declaration, layout, subject)
      guard let rows else {
        try unify(&symbols, declaration, array.shape, subject: subject)
        defaults.append((declaration.name, try checked(array.tensor(), array)))
        continue
      }
      if let count = rowCount, count != rows {
        throw .dataArray(
          "\(subject) has \(plural(rows, "row")), but the arrays before it have \(count)",
          at: location)
      }
      rowCount = rows
      if let symbol = declaration.shape.symbols.first,
        let conflict = symbols.bind(symbol, rows, source: SymbolTable.dataSource)
      {
        throw .dataShape(conflict, at: location)
      }
      let examplesAxis = layout == .batch ? batchAxis : nil
      if keepingStored {
        // A per-example program reads its rows one at a time and uses each at once: a deflated
        // member is checked whole first (a pass of its own). A batch program's buffers are
        // filled, then checked (`Plan.fill`, training's rows).
        if layout == .perExample { _ = try checked((), array) }
        stored.append((declaration.name, array))
        examples.append(
          DataSet.Examples(name: declaration.name, values: array, batchAxis: examplesAxis))
        continue
      }
      let values = try checked(array.tensor(), array)
      columns.append((declaration.name, values))
      examples.append(
        DataSet.Examples(
          name: declaration.name, values: StoredTensor(values, source: declaration.name),
          batchAxis: examplesAxis))
    }
    guard let rowCount else {
      throw .dataArray("\(source) gives no array with rows of data", at: nil)
    }
    return DataSet(
      layout: layout, rowCount: rowCount, columns: columns, stored: stored, examples: examples,
      defaults: defaults, symbols: symbols, order: data.map(\.name))
  }

  /// The array's row count and where its rows are, or nil rows for a declaration fed whole.
  private static func rowsOf(
    _ shape: [Int], _ declaration: Declaration, _ layout: DataSet.Layout, _ subject: String
  ) throws(Diagnostic) -> (Int?, Int) {
    let dims = declaration.shape.dims
    let mismatch = Diagnostic.dataArray(
      "\(subject) has shape \(Shape(shape)), but '\(declaration.name)' is declared \(declaration.shape)"
        + (layout == .perExample ? " (an example; the array needs a leading axis of rows)" : ""),
      at: declaration.location)
    switch layout {
    case .perExample:
      guard shape.count == dims.count + 1,
        zip(shape.dropFirst(), dims).allSatisfy({ $0 == $1.value })
      else { throw mismatch }
      return (shape[0], 0)
    case .batch:
      let symbolic = dims.indices.filter { dims[$0].value == nil }
      guard symbolic.count == 1 else { return (nil, 0) }
      guard shape.count == dims.count,
        zip(shape, dims).allSatisfy({ size, dim in dim.value.map { $0 == size } ?? true })
      else { throw mismatch }
      return (shape[symbolic[0]], symbolic[0])
    }
  }

  private static func unify(
    _ symbols: inout SymbolTable, _ declaration: Declaration, _ shape: [Int], subject: String
  ) throws(Diagnostic) {
    if let mismatch = symbols.unify(
      declaration.shape, shape, name: declaration.name, subject: subject)
    {
      throw .dataArray(mismatch, at: declaration.location)
    }
  }

  private static func checkLabels(
    _ array: StoredTensor, _ declaration: Declaration,
    _ classes: [(name: String, classes: Int)], _ subject: String
  ) throws(Diagnostic) {
    guard let rule = LabelRule.rule(for: declaration, classes: classes) else { return }
    do throws(Diagnostic) {
      try array.forEachChunk { (start, chunk) throws(Diagnostic) in
        for (offset, x) in chunk.enumerated() {
          switch rule.check(x, subject: "element \(start + offset) of \(subject)") {
          case .notWhole(let message)?: throw .dataArray(message, at: declaration.location)
          case .outOfRange(let message)?: throw .dataArray(message, at: declaration.location)
          case nil: continue
          }
        }
      }
    } catch {
      // A label read from a damaged stream is not quoted: the damage is the error.
      _ = try checked((), array)
      throw error
    }
    _ = try checked((), array)
  }

  /// `value`, read from `array`, when the array's check at the end of its reading passes
  /// (`StoredTensor.readFailure`: a deflated `.npz` member's size and CRC-32).
  private static func checked<V>(_ value: V, _ array: StoredTensor) throws(Diagnostic) -> V {
    if let failure = array.readFailure() { throw .dataUnreadable(failure.description) }
    return value
  }
}
