/// Reference kernels: clear, correct, and used for constant folding, the reference evaluator and as
/// the oracle that faster kernels are tested against.
public enum Kernels {}

extension Kernels {
  /// Shape after reducing `axes` (sorted, distinct, normalised) with or without kept unit axes.
  public static func reducedShape(_ shape: [Int], axes: [Int], keepDims: Bool) -> [Int] {
    var out: [Int] = []
    for (axis, size) in shape.enumerated() {
      if axes.contains(axis) {
        if keepDims { out.append(1) }
      } else {
        out.append(size)
      }
    }
    return out
  }

  /// Folds the elements along `axes` with `combine`, starting from `initial`.
  public static func reduce(
    _ x: Tensor, axes: [Int], keepDims: Bool, initial: Double, _ combine: (Double, Double) -> Double
  ) -> Tensor {
    let outShape = reducedShape(x.shape, axes: axes, keepDims: keepDims)
    var out = [Double](repeating: initial, count: outShape.reduce(1, *))
    let keptStrides = rowMajorStrides(reducedShape(x.shape, axes: axes, keepDims: true))
    var index = [Int](repeating: 0, count: x.rank)
    for flat in 0..<x.count {
      var target = 0
      for axis in 0..<x.rank where !axes.contains(axis) {
        target += index[axis] * keptStrides[axis]
      }
      out[target] = combine(out[target], x.scalars[flat])
      increment(&index, shape: x.shape)
    }
    return Tensor(shape: outShape, scalars: out)
  }

  public static func sum(_ x: Tensor, axes: [Int], keepDims: Bool) -> Tensor {
    reduce(x, axes: axes, keepDims: keepDims, initial: 0, +)
  }

  public static func max(_ x: Tensor, axes: [Int], keepDims: Bool) -> Tensor {
    reduce(x, axes: axes, keepDims: keepDims, initial: -.infinity) {
      $0.isNaN || $1.isNaN ? .nan : Swift.max($0, $1)
    }
  }

  /// Number of elements folded into each output element.
  public static func reducedCount(_ shape: [Int], axes: [Int]) -> Int {
    axes.reduce(1) { $0 * shape[$1] }
  }

  /// Advances a multi-index in row-major order.
  @inline(__always)
  public static func increment(_ index: inout [Int], shape: [Int]) {
    var axis = shape.count - 1
    while axis >= 0 {
      index[axis] += 1
      if index[axis] < shape[axis] { return }
      index[axis] = 0
      axis -= 1
    }
  }
}
