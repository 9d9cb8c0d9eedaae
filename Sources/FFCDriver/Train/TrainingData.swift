import FFCData
import FFCIR
import FFCRuntime

/// The rows `train` learns from and validates on, made from a bound data file and `--set`.
enum TrainingData {
  /// Every row of `data`, with the `--set` values and the data's defaults fixed, held once in
  /// `precision` (the plan's): f32 data is not widened to Doubles, and f64 data already held as
  /// Doubles in example order (a CSV table's block for each declaration) is shared, not copied.
  static func rows(
    _ data: DataSet, graph: Graph, setValues: [String: Tensor], precision: Precision
  ) throws(Diagnostic) -> TrainingRows {
    var columns: [TrainingRows.Column] = []
    for examples in data.examples {
      // The data names its columns: they are bound to the declarations of those names.
      guard let declaration = graph.declarations.firstIndex(where: { $0.name == examples.name })
      else {
        continue
      }
      columns.append(column(examples, declaration: declaration, precision: precision))
      // A deflated `.npz` member is checked at the end of its one pass; its rows are not used.
      if let failure = examples.values.readFailure() {
        throw .dataUnreadable(failure.description)
      }
    }
    var fixed = setValues
    for (name, value) in data.defaults where fixed[name] == nil { fixed[name] = value }
    return TrainingRows(count: data.rowCount, columns: columns, fixed: fixed)
  }

  /// One declaration's examples in example order (`[4, N]` data is regrouped by example), read
  /// chunk by chunk from where the data is held.
  static func column(_ examples: DataSet.Examples, declaration: Int, precision: Precision)
    -> TrainingRows.Column
  {
    let values = examples.values
    let axis = examples.batchAxis ?? 0
    var exampleShape = values.shape
    let rows = exampleShape.remove(at: axis)
    let width = exampleShape.reduce(1, *)
    let inner = Swift.max(1, exampleShape[axis...].reduce(1, *))
    let block = inner * rows
    // Element f of the declared layout [outer, row, inner] goes to row r's example element
    // o * inner + i.
    func target(_ f: Int) -> Int {
      axis == 0 ? f : f % block / inner * width + f / block * inner + f % inner
    }
    func filled<S>(_ convert: (Double) -> S) -> [S] {
      [S](unsafeUninitializedCapacity: values.count) { out, initialized in
        values.forEachChunk { start, chunk in
          for (k, x) in chunk.enumerated() {
            (out.baseAddress! + target(start + k)).initialize(to: convert(x))
          }
        }
        initialized = values.count
      }
    }
    let storage: TrainingRows.Column.Storage
    var start = 0
    switch precision {
    case .f32: storage = .f32(filled { Float($0) })
    case .f64:
      if axis == 0, let shared = values.shared {
        storage = .f64(shared.scalars)
        start = shared.offset
      } else {
        storage = .f64(filled { $0 })
      }
    }
    return TrainingRows.Column(
      declaration: declaration, exampleShape: exampleShape, batchAxis: examples.batchAxis,
      storage: storage, start: start)
  }

  /// `--split F`: a seeded shuffle of the rows, the first F of them for training and the rest
  /// held out for validation.
  static func split(_ rows: TrainingRows, fraction: Double, seed: UInt64) -> (
    training: TrainingRows, validation: TrainingRows
  ) {
    var order = Array(0..<rows.count)
    var rng = SplitMix64(seed: seed ^ 0x5B117)
    rng.shuffle(&order)
    let cut = Swift.min(
      rows.count - 1, Swift.max(1, Int((fraction * Double(rows.count)).rounded())))
    return (rows.subset(Array(order[..<cut])), rows.subset(Array(order[cut...])))
  }
}
