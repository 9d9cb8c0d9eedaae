extension Compute {
  /// A row-major walk over `shape` reading the source at `strides` (0 on broadcast axes), with
  /// adjacent axes merged where the source is contiguous across them, so the common cases
  /// (repeat a row, repeat a column, fill) become one or two plain loops.
  public struct StridedLayout: Sendable {
    public let shape: [Int]
    public let strides: [Int]

    public init(shape: [Int], strides: [Int]) {
      var mergedShape: [Int] = []
      var mergedStrides: [Int] = []
      for (size, stride) in Swift.zip(shape, strides) where size != 1 {
        if let lastSize = mergedShape.last, let lastStride = mergedStrides.last,
          lastStride == stride * size
        {
          mergedShape[mergedShape.count - 1] = lastSize * size
          mergedStrides[mergedStrides.count - 1] = stride
        } else {
          mergedShape.append(size)
          mergedStrides.append(stride)
        }
      }
      self.shape = mergedShape.isEmpty ? [1] : mergedShape
      self.strides = mergedStrides.isEmpty ? [0] : mergedStrides
    }

    /// Broadcasting `input` (trailing axes aligned, numpy rules) to `output`.
    public init(broadcasting input: [Int], to output: [Int]) {
      let offset = output.count - input.count
      let inputStrides = rowMajorStrides(input)
      let strides = output.indices.map { axis in
        axis < offset || input[axis - offset] == 1 ? 0 : inputStrides[axis - offset]
      }
      self.init(shape: output, strides: strides)
    }

    /// Reading a matrix `[rows, columns]` in transposed order.
    public init(transposing shape: [Int]) {
      self.init(shape: [shape[1], shape[0]], strides: [1, shape[1]])
    }
  }

  /// `out[i] = x[offset(i)]` for the row-major index i over the layout's shape: the block gather
  /// over the whole shape.
  @inlinable
  public static func gather<T: KernelScalar>(
    _ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, _ layout: StridedLayout
  ) {
    gather(x, out, layout, start: 0, count: layout.shape.reduce(1, *))
  }

  /// The transpose of a `[rows, columns]` matrix, in cache-sized tiles.
  @inlinable
  public static func transpose<T: KernelScalar>(
    _ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, rows: Int, columns: Int
  ) {
    let tile = 32
    for r0 in stride(from: 0, to: rows, by: tile) {
      for c0 in stride(from: 0, to: columns, by: tile) {
        for r in r0..<Swift.min(rows, r0 + tile) {
          for c in c0..<Swift.min(columns, c0 + tile) { out[c * rows + r] = x[r * columns + c] }
        }
      }
    }
  }
}
