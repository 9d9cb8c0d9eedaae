import FFCData
import FFCIR
import FFCRuntime

/// The rows `train` learns from and validates on, made from a bound data file and `--set`.
enum TrainingData {
  /// Every row of `data`, with the `--set` values and the data's defaults fixed.
  static func rows(_ data: DataSet, graph: Graph, setValues: [String: Tensor]) -> TrainingRows {
    let columns = data.examples.compactMap { examples -> TrainingRows.Column? in
      // The data names its columns: they are bound to the declarations of those names.
      guard let declaration = graph.declarations.firstIndex(where: { $0.name == examples.name })
      else {
        return nil
      }
      return TrainingRows.Column(
        declaration: declaration, exampleShape: Array(examples.values.shape.dropFirst()),
        batchAxis: examples.batchAxis, values: examples.values.scalars)
    }
    var fixed = setValues
    for (name, value) in data.defaults where fixed[name] == nil { fixed[name] = value }
    return TrainingRows(count: data.rowCount, columns: columns, fixed: fixed)
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
