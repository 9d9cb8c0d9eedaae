import FFCIR

/// Feeds a program's data declarations from a CSV table.
///
/// - **Data declarations** are those of kind input, target and label that `--set` does not give.
/// - **Layout.** When any data declaration has a symbolic dimension (`input X[N, 3]`) the program
///   is a *batch* program, run once on all rows: a data declaration with one symbolic dimension
///   and the others fixed takes columns, the symbol being the row count. The batch axis is usually
///   first (`X[N, 4]`, examples as rows); `X[4, N]` (examples as columns) takes the file's rows as
///   its columns. Any other data declaration (`w[4]`, `X[M, N]`) cannot come from the rows, so it
///   needs a default or `--set`. Otherwise the program is *per-example*, run once per row: every data
///   declaration takes one row's worth of values, its declared shape.
/// - **Width.** A declaration takes as many columns as one example has values (1 for a scalar),
///   in row-major order.
/// - **By name.** When some header name is a column name of a declaration, columns go by name.
///   The column names of `x` are `x` (one value), `x1` ... `xw` (numbered from 1), or `x[0]`,
///   `x[i, j]` (0-based, one index per axis of an example); forms may be mixed. A declaration
///   named by any column needs all of its columns. Columns that name nothing then go, in
///   order, to the declarations that no column names (so `p0..p63,digit` feeds `X[N, 64]` and
///   `digit[N]`), and their count must fit those exactly. A declaration left without columns
///   uses its default. A column that names a `--set` declaration is an error.
/// - **By position.** With no header, or a header that names nothing (`sepal_length,...,species`
///   for `X[N, 4]` and `y[N]`), the declarations that take columns take them in declaration
///   order, and their widths must add up to the number of columns exactly.
/// - **Labels.** Values of labels read by a class-label op must be whole numbers in 0..K-1; other
///   `label` declarations must hold whole numbers ≥ 0 (see `LabelRule`).
/// - **Defaults** must match the declared shape; in a batch program a symbol they share with a
///   column-fed declaration must equal the row count.
public enum DataBinder {
  /// With `keepingStored`, the declarations fed from columns are not stacked into tensors of
  /// their own: they read straight from the table's values (`DataSet.stored`), for a plan or
  /// training's rows to fill their buffers from in their own precision. With `narrowingTo: .f32`
  /// too (an f32 `ffc run`, whose only reader of the data is its f32 plan), a table that is all
  /// blocks of declarations is narrowed in place to Floats (`CSVTable.narrowToFloats`), which the
  /// plan then uses as its buffers (`StoredTensor.sharedFloats`): the numbers are held once, as
  /// Floats in the table's memory, not as Doubles and Floats.
  public static func bind(
    _ file: consuming CSVTable, graph: Graph, setNames: Set<String> = [],
    keepingStored: Bool = false, narrowingTo precision: Precision = .f64
  ) throws(Diagnostic) -> DataSet {
    // Taken over (the caller's last use), so reordering its values in place copies nothing.
    var table = file
    guard table.rowCount > 0 else { throw .dataEmpty(table.file.path, at: table.firstLineRange) }
    let data = graph.declarations.filter { $0.kind.isData && !setNames.contains($0.name) }
    let layout: DataSet.Layout = data.contains { !$0.shape.symbols.isEmpty } ? .batch : .perExample

    var slots: [DataSlot] = []
    var others: [(declaration: Declaration, isSet: Bool)] = graph.declarations
      .filter { $0.kind.isData && setNames.contains($0.name) }.map { ($0, true) }
    for declaration in data {
      if let slot = try slot(for: declaration, layout: layout, table: table) {
        slots.append(slot)
      } else {
        others.append((declaration, false))
      }
    }

    let mapping = try ColumnMapping(table: table, slots: slots, others: others).assign()
    let labelClasses = graph.labelClasses()
    var symbols = SymbolTable()
    var columns: [(name: String, value: Tensor)] = []
    var stored: [(name: String, value: StoredTensor)] = []
    var examples: [DataSet.Examples] = []
    var fed: [(slot: DataSlot, sources: [Int])] = []
    for (index, slot) in slots.enumerated() {
      guard let sources = mapping[index] else { continue }
      try checkLabels(slot, sources, table, labelClasses)
      if let symbol = slot.batchSymbol,
        let conflict = symbols.bind(symbol, table.rowCount, source: SymbolTable.dataSource)
      {
        throw .dataShape(conflict, at: slot.declaration.location ?? table.file.range(0, 0))
      }
      fed.append((slot, sources))
    }
    // Kept in place, declarations with their examples first that share out every column (`X[N, 9]`
    // and `y[N, 1]`) get a block of the table each, as their values: the file's numbers are held
    // once, and an f64 plan or training uses each block as it is.
    var blocks: [Int]?
    if keepingStored, fed.allSatisfy({ $0.slot.batchAxis == 0 }),
      fed.flatMap(\.sources).sorted() == Array(0..<table.columnCount)
    {
      // One declaration fed every column in order is one block already.
      blocks =
        fed.count == 1 && fed[0].sources.elementsEqual(0..<table.columnCount)
        ? [0] : table.groupColumns(fed.map(\.sources))
    }
    let narrowed = blocks != nil && precision == .f32 && layout == .batch && table.narrowToFloats()
    for (index, (slot, sources)) in fed.enumerated() {
      let batchAxis = layout == .batch ? slot.batchAxis : nil
      if keepingStored {
        let shape = [table.rowCount] + slot.exampleShape
        let key = "\(table.file.path)#\(slot.name)"
        let value =
          blocks.map {
            narrowed
              ? StoredTensor(
                shape: shape, source: slot.name, sharingFloatsIn: table.values, from: $0[index],
                key: key)
              : StoredTensor(
                shape: shape, source: slot.name, sharing: table.values, from: $0[index], key: key)
          } ?? reference(slot, sources, table, batchAxis: batchAxis)
        stored.append((slot.name, value))
        examples.append(DataSet.Examples(name: slot.name, values: value, batchAxis: batchAxis))
        continue
      }
      let stacked = stack(slot, sources, table)
      let column = slot.batchAxis == 0 ? stacked : movingLeadingAxis(stacked, to: slot.batchAxis)
      examples.append(
        DataSet.Examples(
          name: slot.name, values: StoredTensor(column, source: slot.name), batchAxis: batchAxis))
      columns.append((slot.name, column))
    }

    var defaults: [(name: String, value: Tensor)] = []
    for declaration in data
    where !columns.contains(where: { $0.name == declaration.name })
      && !stored.contains(where: { $0.name == declaration.name })
    {
      // ColumnMapping reported a declaration with neither.
      guard let value = declaration.defaultValue, let shape = declaration.defaultShape else {
        continue
      }
      let location =
        declaration.location
        ?? SourceRange(
          file: table.file.path, start: SourceLocation(offset: 0, line: 1, column: 1),
          end: SourceLocation(offset: 0, line: 1, column: 1))
      let subject = "the default of '\(declaration.name)'"
      if let mismatch = symbols.unify(
        declaration.shape, shape, name: declaration.name, subject: subject)
      {
        throw .dataShape(mismatch, at: location)
      }
      if let rule = LabelRule.rule(for: declaration, classes: labelClasses) {
        try checkDefault(value, rule, declaration.name, location)
      }
      defaults.append((declaration.name, value))
    }

    return DataSet(
      layout: layout, rowCount: table.rowCount, columns: columns, stored: stored,
      examples: examples, defaults: defaults,
      symbols: symbols, order: data.map(\.name))
  }

  /// The slot of a data declaration, nil when it cannot take columns but has a default; an error
  /// when it can do neither.
  private static func slot(for declaration: Declaration, layout: DataSet.Layout, table: CSVTable)
    throws(Diagnostic) -> DataSlot?
  {
    let dims = declaration.shape.dims
    let symbolic = dims.indices.filter { dims[$0].value == nil }
    let rest = dims.compactMap(\.value)
    switch layout {
    case .perExample:
      if let sizes = declaration.shape.concrete, elementCount(sizes) != nil {
        return DataSlot(declaration, exampleShape: sizes, batchSymbol: nil)
      }
    case .batch:
      if symbolic.count == 1, case .symbol(let symbol) = dims[symbolic[0]],
        elementCount(rest) != nil
      {
        return DataSlot(
          declaration, exampleShape: rest, batchSymbol: symbol, batchAxis: symbolic[0])
      }
    }
    if declaration.defaultValue != nil { return nil }
    throw .dataShape(
      unreadableMessage(declaration), at: declaration.location ?? table.file.range(0, 0))
  }

  private static func unreadableMessage(_ d: Declaration) -> String {
    let name = d.name
    if d.shape.dims.contains(where: { $0.value.map { $0 < 0 } ?? false }) {
      return "'\(name)' is declared \(d.shape), which is not a valid shape"
    }
    if d.shape.symbols.count > 1 {
      return
        "'\(name)' is declared \(d.shape): a CSV binds one dimension (one row per example), so only one size may be symbolic; give it a default or use --set \(name)=..."
    }
    return
      "'\(name)' is declared \(d.shape), without a batch dimension, so it cannot come from the rows of a CSV; give it a default or use --set \(name)=..."
  }

  /// The rows of the slot's columns stacked: shape [rowCount] + exampleShape.
  /// A slot fed by every column in order shares the table's storage instead of copying it (most
  /// large files are one `X[N, d]`), so the file's numbers are held once.
  private static func stack(_ slot: DataSlot, _ sources: [Int], _ table: CSVTable) -> Tensor {
    let shape = [table.rowCount] + slot.exampleShape
    if sources.count == table.columnCount, sources.elementsEqual(0..<table.columnCount) {
      return Tensor(shape: shape, scalars: table.values)
    }
    var scalars: [Double] = []
    scalars.reserveCapacity(table.rowCount * sources.count)
    for row in 0..<table.rowCount {
      for column in sources { scalars.append(table.value(row: row, column: column)) }
    }
    return Tensor(shape: shape, scalars: scalars)
  }

  /// The slot's values in the declared layout (`[N, 4]`, `[4, N]`; per example `[rows] + shape`),
  /// read from the table's storage when a buffer is filled, so the file's numbers are held once
  /// whichever columns feed the slot. (A slot fed by every column in order, rows first, is a
  /// block: the table's values themselves.)
  private static func reference(
    _ slot: DataSlot, _ sources: [Int], _ table: CSVTable, batchAxis: Int?
  ) -> StoredTensor {
    let values = table.values
    let columnCount = table.columnCount
    let rows = table.rowCount
    let axis = batchAxis ?? 0
    var shape = slot.exampleShape
    shape.insert(rows, at: axis)
    // Element f of the declared layout is [outer, row, inner] around the batch axis: example
    // element `o * inner + i` of row `r`.
    let inner = max(1, slot.exampleShape[axis...].reduce(1, *))
    let block = inner * rows
    return StoredTensor(
      shape: shape, source: slot.name, key: "\(table.file.path)#\(slot.name)"
    ) { start, count, out in
      guard count > 0 else { return }  // an empty table may have no base address
      values.withUnsafeBufferPointer { table in
        for k in 0..<count {
          let f = start + k
          let o = f / block
          let r = f % block / inner
          let i = f % inner
          out[k] = table[r * columnCount + sources[o * inner + i]]
        }
      }
    }
  }

  /// The same values with the row axis moved from the front to `axis` (`[N, 4]` to `[4, N]`).
  static func movingLeadingAxis(_ t: Tensor, to axis: Int) -> Tensor {
    var shape = Array(t.shape.dropFirst())
    shape.insert(t.shape[0], at: axis)
    // Source strides in the order of the target's axes.
    let sourceStrides = rowMajorStrides(t.shape)
    var strides = Array(sourceStrides.dropFirst())
    strides.insert(sourceStrides[0], at: axis)
    var out = [Double](repeating: 0, count: t.count)
    var index = [Int](repeating: 0, count: shape.count)
    for flat in 0..<t.count {
      out[flat] = t.scalars[zip(index, strides).reduce(0) { $0 + $1.0 * $1.1 }]
      Kernels.increment(&index, shape: shape)
    }
    return Tensor(shape: shape, scalars: out)
  }

  private static func checkLabels(
    _ slot: DataSlot, _ sources: [Int], _ table: CSVTable, _ classes: [(name: String, classes: Int)]
  ) throws(Diagnostic) {
    guard let rule = LabelRule.rule(for: slot.declaration, classes: classes) else { return }
    for row in 0..<table.rowCount {
      for column in sources {
        let value = table.value(row: row, column: column)
        switch rule.check(
          value, subject: LabelRule.subject(column: table.columnName(column), name: slot.name))
        {
        case .notWhole(let message)?:
          throw .dataLabelNotWhole(message, at: table.fieldRange(row: row, column: column))
        case .outOfRange(let message)?:
          throw .dataLabelRange(message, at: table.fieldRange(row: row, column: column))
        case nil: continue
        }
      }
    }
  }

  private static func checkDefault(
    _ value: Tensor, _ rule: LabelRule, _ name: String, _ location: SourceRange
  ) throws(Diagnostic) {
    for x in value.scalars {
      switch rule.check(x, subject: "the default of '\(name)'") {
      case .notWhole(let message)?: throw .dataLabelNotWhole(message, at: location)
      case .outOfRange(let message)?: throw .dataLabelRange(message, at: location)
      case nil: continue
      }
    }
  }
}
