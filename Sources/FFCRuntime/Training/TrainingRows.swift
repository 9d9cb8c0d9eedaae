import FFCIR

/// The examples training reads, one row each: for every data declaration fed from the rows, its
/// values example by example (row-major within an example). Values that do not change from row to
/// row (`--set`, declared defaults) are `fixed`.
public struct TrainingRows: Sendable {
  public struct Column: Sendable {
    /// The index of the data declaration among the graph's declarations.
    public let declaration: Int
    /// The shape of one example: the declared shape without its batch axis (per-example programs:
    /// the declared shape).
    public let exampleShape: [Int]
    /// Where the batch axis sits in the declared shape; nil for per-example programs.
    public let batchAxis: Int?
    /// `count × width` values, example after example.
    public let values: [Double]

    public init(declaration: Int, exampleShape: [Int], batchAxis: Int?, values: [Double]) {
      self.declaration = declaration
      self.exampleShape = exampleShape
      self.batchAxis = batchAxis
      self.values = values
    }

    public var width: Int { exampleShape.reduce(1, *) }
  }

  public let count: Int
  public let columns: [Column]
  public let fixed: [String: Tensor]

  public init(count: Int, columns: [Column], fixed: [String: Tensor]) {
    self.count = count
    self.columns = columns
    self.fixed = fixed
  }

  /// Per-example programs run once per row; batch programs once per mini-batch.
  public var isPerExample: Bool { columns.contains { $0.batchAxis == nil } }

  /// The rows at `indices`, in that order.
  public func subset(_ indices: [Int]) -> TrainingRows {
    let picked = columns.map { column in
      let width = column.width
      var values: [Double] = []
      values.reserveCapacity(indices.count * width)
      for row in indices {
        values.append(contentsOf: column.values[row * width..<(row + 1) * width])
      }
      return Column(
        declaration: column.declaration, exampleShape: column.exampleShape,
        batchAxis: column.batchAxis, values: values)
    }
    return TrainingRows(count: indices.count, columns: picked, fixed: fixed)
  }

  /// Writes the examples `rows` of `column` into a plan buffer laid out as the declared shape with
  /// the batch axis of size `rows.count`: `[outer, batch, inner]` around the batch axis.
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  func write<T: PlanScalar>(
    _ column: Column, rows: ArraySlice<Int>, into buffer: UnsafeMutablePointer<T>
  ) {
    let width = column.width
    let axis = column.batchAxis ?? 0
    let inner = column.exampleShape[axis...].reduce(1, *)
    let outer = width / Swift.max(1, inner)
    let batch = rows.count
    column.values.withUnsafeBufferPointer { values in
      guard let base = values.baseAddress else { return }
      for (b, row) in rows.enumerated() {
        let example = base + row * width
        for o in 0..<outer {
          let target = buffer + (o * batch + b) * inner
          let source = example + o * inner
          for i in 0..<inner { target[i] = T(source[i]) }
        }
      }
    }
  }
}
