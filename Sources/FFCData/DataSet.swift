import FFCTensor

/// The values a CSV file gives a program's data declarations, keyed by declaration name.
public struct DataSet: Sendable {
  /// `batch`: the program runs once on all rows (its data has a symbolic batch dimension such as
  /// `N`). `perExample`: it runs once per row.
  public enum Layout: Sendable, Equatable { case batch, perExample }

  public let layout: Layout
  public let rowCount: Int
  /// One tensor per declaration fed from the CSV, in declaration order, with the rows stacked on a
  /// leading axis: shape [rowCount] + the shape of one example. In batch layout that is the
  /// declaration's value; in per-example layout `row(_:)` slices one example out.
  public let columns: [(name: String, value: Tensor)]
  /// Data kept where it was read (the binders' `keepingStored`: a mapped array, the CSV table's
  /// values), in the layout `columns` would have, which `columns` then leaves out: a batch
  /// program's plan fills its buffers from them in its own precision, and `row(_:)` reads one
  /// example at a time from them. Empty otherwise.
  public let stored: [(name: String, value: StoredTensor)]
  /// Every declaration fed from the data, for training's mini-batches: the values in the
  /// declared layout (per example: [rowCount] + the shape of one example), and where the batch
  /// axis sits in it (nil per example). The same storage as `columns` or `stored`.
  public let examples: [Examples]

  public struct Examples: Sendable {
    public let name: String
    public let values: StoredTensor
    public let batchAxis: Int?
  }
  /// Data declarations that took no column and use their declared default, in declaration order.
  /// In batch layout the value is fed as is; in per-example layout it is the same for every row.
  public let defaults: [(name: String, value: Tensor)]
  /// Symbols bound by the data, in the order they were met: every batch symbol is bound to the
  /// row count, and a default may bind others (`mask[M] = [1, 0]` binds M = 2). Empty per example.
  public var symbols: [(symbol: String, size: Int)] { symbolTable.bindings }

  /// The symbols with what bound each, for `SymbolBindings`' messages.
  let symbolTable: SymbolTable

  init(
    layout: Layout, rowCount: Int, columns: [(name: String, value: Tensor)],
    stored: [(name: String, value: StoredTensor)] = [], examples: [Examples],
    defaults: [(name: String, value: Tensor)], symbols: SymbolTable, order: [String]
  ) {
    self.layout = layout
    self.rowCount = rowCount
    self.columns = columns
    self.stored = stored
    self.examples = examples
    self.defaults = defaults
    self.symbolTable = symbols
    self.order = order
  }

  /// Declaration names in declaration order, to merge columns and defaults.
  private let order: [String]

  /// Batch layout: everything to feed, columns and defaults, in declaration order.
  public var feeds: [(name: String, value: Tensor)] { merged(columns) }

  /// Per-example layout: the feeds of one row (slices of `columns`, plus the defaults), in
  /// declaration order. Empty when `index` is not a row.
  public func row(_ index: Int) -> [(name: String, value: Tensor)] {
    guard index >= 0, index < rowCount else { return [] }
    var slices = columns.map { column -> (name: String, value: Tensor) in
      let width = column.value.shape.dropFirst().reduce(1, *)
      let values = Array(column.value.scalars[(index * width)..<((index + 1) * width)])
      return (column.name, Tensor(shape: Array(column.value.shape.dropFirst()), scalars: values))
    }
    if layout == .perExample {
      for (name, value) in stored {
        let shape = Array(value.shape.dropFirst())
        let width = shape.reduce(1, *)
        slices.append((name, Tensor(shape: shape, scalars: value.values(index * width, width))))
      }
    }
    return merged(slices)
  }

  private func merged(_ fed: [(name: String, value: Tensor)]) -> [(name: String, value: Tensor)] {
    let all = fed + defaults
    return order.compactMap { name in all.first { $0.name == name } }
  }
}
