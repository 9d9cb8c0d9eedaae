extension Compute {
  /// `out[j] = x[offset(start + j)]` for j in 0..<count: one block of a broadcast read, walking the
  /// layout's merged axes from the block's first element (a fused kernel reads a bias or a column
  /// this way instead of materialising its `broadcast_to`).
  @inlinable
  public static func gather<T: KernelScalar>(
    _ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, _ layout: StridedLayout, start: Int,
    count: Int
  ) {
    guard count > 0 else { return }  // an empty shape has an axis of 0, which `%` below cannot take
    let rank = layout.shape.count
    var index = [Int](repeating: 0, count: rank)
    var rest = start
    var source = 0
    for axis in stride(from: rank - 1, through: 0, by: -1) {
      index[axis] = rest % layout.shape[axis]
      rest /= layout.shape[axis]
      source += index[axis] * layout.strides[axis]
    }
    let innerSize = layout.shape[rank - 1]
    let innerStride = layout.strides[rank - 1]
    var written = 0
    while written < count {
      let run = Swift.min(innerSize - index[rank - 1], count - written)
      if innerStride == 1 {
        (out + written).update(from: x + source, count: run)
      } else if innerStride == 0 {
        (out + written).update(repeating: x[source], count: run)
      } else {
        for i in 0..<run { out[written + i] = x[source + i * innerStride] }
      }
      written += run
      // Step to the start of the next innermost row.
      source += (innerSize - index[rank - 1]) * innerStride
      index[rank - 1] = 0
      source -= innerSize * innerStride
      var axis = rank - 2
      while axis >= 0 {
        index[axis] += 1
        source += layout.strides[axis]
        if index[axis] < layout.shape[axis] { break }
        source -= layout.strides[axis] * index[axis]
        index[axis] = 0
        axis -= 1
      }
    }
  }
}
