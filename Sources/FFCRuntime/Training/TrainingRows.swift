import FFCIR

/// The examples training reads, one row each: for every data declaration fed from the rows, its
/// values example by example (row-major within an example), held once in the plan's precision.
/// Values that do not change from row to row (`--set`, declared defaults) are `fixed`.
public struct TrainingRows: Sendable {
  public struct Column: Sendable {
    /// The index of the data declaration among the graph's declarations.
    public let declaration: Int
    /// The shape of one example: the declared shape without its batch axis (per-example programs:
    /// the declared shape).
    public let exampleShape: [Int]
    /// Where the batch axis sits in the declared shape; nil for per-example programs.
    public let batchAxis: Int?
    /// `count × width` values, example after example (row `r` of the storage, not of a subset),
    /// from element `start` of `storage` on (a block of a CSV table's values, shared).
    public let storage: Storage
    public let start: Int

    /// The values in one precision: f32 data for an f32 plan is held as Floats, never widened.
    public enum Storage: Sendable {
      case f32([Float])
      case f64([Double])
    }

    public init(
      declaration: Int, exampleShape: [Int], batchAxis: Int?, storage: Storage, start: Int = 0
    ) {
      self.declaration = declaration
      self.exampleShape = exampleShape
      self.batchAxis = batchAxis
      self.storage = storage
      self.start = start
    }

    /// Values held as Doubles.
    public init(declaration: Int, exampleShape: [Int], batchAxis: Int?, values: [Double]) {
      self.init(
        declaration: declaration, exampleShape: exampleShape, batchAxis: batchAxis,
        storage: .f64(values))
    }

    public var width: Int { exampleShape.reduce(1, *) }

    /// Element `index` of the storage, as a Double (exact for both precisions).
    public func value(_ index: Int) -> Double {
      switch storage {
      case .f32(let values): Double(values[start + index])
      case .f64(let values): values[start + index]
      }
    }
  }

  public let count: Int
  public let columns: [Column]
  public let fixed: [String: Tensor]
  /// Row `k` of these rows is row `stored[k]` of the columns' storage; nil when they are the
  /// same. A subset (`--split`) picks rows without copying them.
  public let stored: [Int]?

  public init(count: Int, columns: [Column], fixed: [String: Tensor], stored: [Int]? = nil) {
    self.count = count
    self.columns = columns
    self.fixed = fixed
    self.stored = stored
  }

  /// Per-example programs run once per row; batch programs once per mini-batch.
  public var isPerExample: Bool { columns.contains { $0.batchAxis == nil } }

  /// The rows at `indices`, in that order, sharing these rows' storage.
  public func subset(_ indices: [Int]) -> TrainingRows {
    TrainingRows(
      count: indices.count, columns: columns, fixed: fixed,
      stored: stored.map { stored in indices.map { stored[$0] } } ?? indices)
  }

  /// Where row `row` of these rows is in the columns' storage.
  public func storedRow(_ row: Int) -> Int { stored?[row] ?? row }

  /// Writes the examples `rows` of `column` into a plan buffer laid out as the declared shape with
  /// the batch axis of size `rows.count`: `[outer, batch, inner]` around the batch axis.
  func write<T: PlanScalar>(
    _ column: Column, rows: ArraySlice<Int>, into buffer: UnsafeMutablePointer<T>
  ) {
    let picked: [Int] = stored.map { stored in rows.map { stored[$0] } } ?? Array(rows)
    switch column.storage {
    case .f32(let values): Self.gather(values, column, picked, into: buffer)
    case .f64(let values): Self.gather(values, column, picked, into: buffer)
    }
  }

  /// `T(x)` from Floats goes through Double, which holds every Float exactly: the same value an
  /// f64 copy of the data gave.
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  static func gather<T: PlanScalar>(
    _ values: [Float], _ column: Column, _ rows: [Int], into buffer: UnsafeMutablePointer<T>
  ) {
    values.withUnsafeBufferPointer { values in
      guard let base = values.baseAddress.map({ $0 + column.start }) else { return }
      forEachRun(column, rows) { target, source, count in
        for i in 0..<count { buffer[target + i] = T(Double(base[source + i])) }
      }
    }
  }

  @_specialize(where T == Float)
  @_specialize(where T == Double)
  static func gather<T: PlanScalar>(
    _ values: [Double], _ column: Column, _ rows: [Int], into buffer: UnsafeMutablePointer<T>
  ) {
    values.withUnsafeBufferPointer { values in
      guard let base = values.baseAddress.map({ $0 + column.start }) else { return }
      forEachRun(column, rows) { target, source, count in
        for i in 0..<count { buffer[target + i] = T(base[source + i]) }
      }
    }
  }

  /// The contiguous runs a gather copies: `count` values from storage offset `source` to buffer
  /// offset `target`, for each example and each outer index around the batch axis.
  @inline(__always)
  private static func forEachRun(
    _ column: Column, _ rows: [Int], _ body: (_ target: Int, _ source: Int, _ count: Int) -> Void
  ) {
    let width = column.width
    let axis = column.batchAxis ?? 0
    let inner = column.exampleShape[axis...].reduce(1, *)
    let outer = width / Swift.max(1, inner)
    let batch = rows.count
    for (b, row) in rows.enumerated() {
      for o in 0..<outer {
        body((o * batch + b) * inner, row * width + o * inner, inner)
      }
    }
  }
}
