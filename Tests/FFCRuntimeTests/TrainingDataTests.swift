import FFCData
import FFCIR
import FFCRuntime
import FFCTestSupport
import Testing

@testable import FFCDriver

/// `train` holds its data once, in the plan's precision, read from where it was read (the CSV
/// table, a mapped array) and gathered into mini-batches from there; `--split` picks rows by
/// index. Training on those rows gives the same bits as training on the rows as Doubles, stacked
/// example by example and copied per subset, as `train` read them before.
@Suite struct TrainingDataTests {
  /// Samples with data: batch (`X[N, 4]`), examples as columns (`X[4, N]`), per example.
  static let samples = ["iris", "columns", "sigmoid_mlp", "xor"]

  func graph(_ sample: String) throws -> Graph {
    try Programs.compile(Repository.read("samples/\(sample).ffn"), differentiate: true)
  }

  func data(_ sample: String, _ graph: Graph, keepingStored: Bool) throws -> DataSet {
    let path = "samples/data/\(sample).csv"
    let table = try CSVReader.read(SourceFile(path: path, text: Repository.read(path)))
    return try DataBinder.bind(table, graph: graph, keepingStored: keepingStored)
  }

  /// The rows as Doubles, example by example, each column a copy of its own (`[4, N]` data
  /// regrouped here, independently of `TrainingData`).
  func doubleRows(_ data: DataSet, _ graph: Graph, picking rows: [Int]? = nil) -> TrainingRows {
    let columns = data.examples.map { examples -> TrainingRows.Column in
      let declared = examples.values.tensor()
      let axis = examples.batchAxis ?? 0
      var exampleShape = declared.shape
      let count = exampleShape.remove(at: axis)
      let inner = exampleShape[axis...].reduce(1, *)
      let outer = exampleShape[..<axis].reduce(1, *)
      var byExample: [[Double]] = []
      for row in 0..<count {
        var example: [Double] = []
        for o in 0..<outer {
          let start = (o * count + row) * inner
          example += declared.scalars[start..<start + inner]
        }
        byExample.append(example)
      }
      let picked = (rows ?? Array(0..<count)).flatMap { byExample[$0] }
      return TrainingRows.Column(
        declaration: graph.declarations.firstIndex { $0.name == examples.name }!,
        exampleShape: exampleShape, batchAxis: examples.batchAxis, values: picked)
    }
    var fixed: [String: Tensor] = [:]
    for (name, value) in data.defaults { fixed[name] = value }
    return TrainingRows(count: rows?.count ?? data.rowCount, columns: columns, fixed: fixed)
  }

  func trained<T: PlanScalar>(_: T.Type, _ graph: Graph, _ rows: TrainingRows) throws -> (
    [[UInt64]], [Double]
  ) {
    let trainer = try Trainer<T>(
      gradientGraph: graph, initial: rows.fixed,
      settings: TrainingSettings(
        epochs: 3, batchSize: 3, seed: 5,
        optimizer: OptimizerSettings(
          kind: .adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8),
          learningRate: 0.01)))
    let result = try trainer.train(rows, validation: nil, onEpoch: { _ in }, shouldStop: { false })
    return (
      result.parameters.map { $0.value.tensor().scalars.map(\.bitPattern) },
      result.epochs.map(\.trainingLoss)
    )
  }

  @Test(arguments: samples, [Precision.f32, .f64])
  func rowsInThePlansPrecisionTrainToTheSameBits(sample: String, precision: Precision) throws {
    let graph = try graph(sample)
    let stored = try data(sample, graph, keepingStored: true)
    let rows = try TrainingData.rows(stored, graph: graph, setValues: [:], precision: precision)
    for column in rows.columns {
      switch (column.storage, precision) {
      case (.f32, .f32), (.f64, .f64): break
      default: Issue.record("\(sample): a column not held in \(precision)")
      }
    }
    // The same rows from the binder's stacked f64 tensors (no data kept in place).
    let stacked = try TrainingData.rows(
      try data(sample, graph, keepingStored: false), graph: graph, setValues: [:],
      precision: precision)
    let reference = doubleRows(stored, graph)
    let picked = [5, 0, 3, 1, 4, 2].filter { $0 < rows.count }
    switch precision {
    case .f32:
      let expected = try trained(Float.self, graph, reference)
      #expect(try trained(Float.self, graph, rows) == expected)
      #expect(try trained(Float.self, graph, stacked) == expected)
      #expect(
        try trained(Float.self, graph, rows.subset(picked))
          == trained(Float.self, graph, doubleRows(stored, graph, picking: picked)))
    case .f64:
      let expected = try trained(Double.self, graph, reference)
      #expect(try trained(Double.self, graph, rows) == expected)
      #expect(try trained(Double.self, graph, stacked) == expected)
      #expect(
        try trained(Double.self, graph, rows.subset(picked))
          == trained(Double.self, graph, doubleRows(stored, graph, picking: picked)))
    }
    // The checkpoint's fingerprint reads the rows in their order, whatever holds them.
    #expect(CheckpointFile.fingerprint(rows) == CheckpointFile.fingerprint(stacked))
  }

  /// The fingerprint, hashed as the rows are read, is the FNV-1a of the bytes it hashed whole
  /// before (so checkpoints of f64 runs written before still resume).
  @Test func theFingerprintIsTheHashOfTheRowsBytes() throws {
    let graph = try graph("iris")
    let rows = try TrainingData.rows(
      try data("iris", graph, keepingStored: true), graph: graph, setValues: [:], precision: .f64
    ).subset([3, 1, 2])
    var bytes: [UInt8] = []
    for column in rows.columns {
      bytes += withUnsafeBytes(of: column.declaration.littleEndian, Array.init)
      for row in 0..<rows.count {
        for index in 0..<column.width {
          let x = column.value(rows.storedRow(row) * column.width + index)
          bytes += withUnsafeBytes(of: x.bitPattern.littleEndian, Array.init)
        }
      }
    }
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    let digits = String(hash, radix: 16)
    #expect(
      CheckpointFile.fingerprint(rows)
        == "3 rows, " + String(repeating: "0", count: 16 - digits.count) + digits)
  }

  /// A subset of a subset is the rows of the first, by index into the same storage.
  @Test func aSubsetOfASubsetPicksThroughBoth() throws {
    let graph = try graph("iris")
    let rows = try TrainingData.rows(
      try data("iris", graph, keepingStored: true), graph: graph, setValues: [:], precision: .f32)
    let inner = rows.subset([9, 4, 7]).subset([2, 0])
    #expect(inner.count == 2 && inner.stored == [7, 9])
  }

  /// An f64 table fed whole to one declaration is shared by the rows, not copied.
  @Test func anF64TableFedWholeIsShared() throws {
    let text = "input X[N, 2]\nparam w[2] = [1, 2]\nloss L = mean(X @ w)\n"
    let graph = try Programs.compile(text, differentiate: true)
    let table = try CSVReader.read(SourceFile(path: "d.csv", text: "1,2\n3,4\n5,6\n"))
    let data = try DataBinder.bind(table, graph: graph, keepingStored: true)
    let held = try #require(data.examples.first?.values.shared)
    let rows = try TrainingData.rows(data, graph: graph, setValues: [:], precision: .f64)
    guard case .f64(let values) = rows.columns.first?.storage else {
      Issue.record("not f64")
      return
    }
    let same = values.withUnsafeBufferPointer { a in
      held.scalars.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress }
    }
    #expect(same && held.offset == 0 && values == [1, 2, 3, 4, 5, 6])
  }
}
