extension Kernels {
  /// numpy broadcasting of `x` to `shape` (trailing axes aligned).
  public static func broadcast(_ x: Tensor, to shape: [Int]) -> Tensor {
    if x.shape == shape { return x }
    let offset = shape.count - x.rank
    let sourceStrides = rowMajorStrides(x.shape)
    var out = [Double](repeating: 0, count: shape.reduce(1, *))
    var index = [Int](repeating: 0, count: shape.count)
    for flat in 0..<out.count {
      var source = 0
      for axis in 0..<x.rank where x.shape[axis] != 1 {
        source += index[axis + offset] * sourceStrides[axis]
      }
      out[flat] = x.scalars[source]
      increment(&index, shape: shape)
    }
    return Tensor(shape: shape, scalars: out)
  }

  /// Swaps the two axes of a matrix; vectors and scalars are returned unchanged.
  public static func transpose(_ x: Tensor) -> Tensor {
    guard x.rank == 2 else { return x }
    let (rows, cols) = (x.shape[0], x.shape[1])
    var out = [Double](repeating: 0, count: x.count)
    for i in 0..<rows {
      for j in 0..<cols { out[j * rows + i] = x.scalars[i * cols + j] }
    }
    return Tensor(shape: [cols, rows], scalars: out)
  }

  /// The sub-tensor at fixed leading indices: `x[i]` of a matrix is a row, `x[i, j]` a scalar.
  public static func index(_ x: Tensor, _ indices: [Int]) -> Tensor {
    let strides = rowMajorStrides(x.shape)
    let start = zip(indices, strides).reduce(0) { $0 + $1.0 * $1.1 }
    let shape = Array(x.shape.dropFirst(indices.count))
    let count = shape.reduce(1, *)
    return Tensor(shape: shape, scalars: Array(x.scalars[start..<start + count]))
  }

  /// The adjoint of `index`: zeros of `shape` with `x` placed at the indices.
  public static func embed(_ x: Tensor, at indices: [Int], in shape: [Int]) -> Tensor {
    var out = Tensor(repeating: 0, shape: shape)
    let strides = rowMajorStrides(shape)
    let start = zip(indices, strides).reduce(0) { $0 + $1.0 * $1.1 }
    for i in 0..<x.count { out.scalars[start + i] = x.scalars[i] }
    return out
  }

  /// Rows of a one-hot matrix (or one vector for a scalar label); an index outside 0..<classes, or
  /// not a whole number, gives a row of NaN so that a bad label can never pass silently.
  public static func oneHot(_ labels: Tensor, classes: Int) -> Tensor {
    var out = [Double](repeating: 0, count: labels.count * classes)
    for (row, label) in labels.scalars.enumerated() {
      if label >= 0, label < Double(classes), label == label.rounded() {
        out[row * classes + Int(label)] = 1
      } else {
        for k in 0..<classes { out[row * classes + k] = .nan }
      }
    }
    return Tensor(shape: labels.shape + [classes], scalars: out)
  }
}
