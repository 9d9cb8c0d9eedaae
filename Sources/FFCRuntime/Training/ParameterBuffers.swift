import FFCIR

/// The parameters being trained, in buffers every plan of a trainer reads and the optimizer
/// writes, plus the gradient sums of a per-example mini-batch.
final class ParameterBuffers<T: PlanScalar> {
  let names: [String]
  let shapes: [[Int]]
  let counts: [Int]
  let pointers: [UnsafeMutablePointer<T>]
  private let sums: [UnsafeMutablePointer<T>]

  init(_ initial: [(String, Tensor)]) {
    names = initial.map(\.0)
    shapes = initial.map(\.1.shape)
    counts = initial.map(\.1.count)
    pointers = initial.map { _, value in
      let buffer = UnsafeMutablePointer<T>.allocate(capacity: Swift.max(1, value.count))
      buffer.initialize(repeating: 0, count: Swift.max(1, value.count))
      for (i, x) in value.scalars.enumerated() { buffer[i] = T(x) }
      return buffer
    }
    sums = initial.map { _, value in
      let buffer = UnsafeMutablePointer<T>.allocate(capacity: Swift.max(1, value.count))
      buffer.initialize(repeating: 0, count: Swift.max(1, value.count))
      return buffer
    }
  }

  deinit {
    for buffer in pointers + sums { buffer.deallocate() }
  }

  func index(of name: String) -> Int? { names.firstIndex(of: name) }

  var sumPointers: [UnsafePointer<T>] { sums.map { UnsafePointer($0) } }

  func clearSums() {
    for (buffer, count) in zip(sums, counts) { buffer.update(repeating: 0, count: count) }
  }

  /// Adds the plan's gradients (in the graph's gradient order, the same as the parameters').
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  func accumulate(_ plan: Plan<T>, _ graph: Graph) {
    for (index, gradient) in graph.gradients.enumerated() {
      let (sum, g) = (sums[index], plan.buffer(of: gradient.node))
      for i in 0..<counts[index] { sum[i] += g[i] }
    }
  }

  @_specialize(where T == Float)
  @_specialize(where T == Double)
  func averageSums(over rows: Int) {
    let divisor = T(Swift.max(1, rows))
    for (buffer, count) in zip(sums, counts) {
      for i in 0..<count { buffer[i] /= divisor }
    }
  }

  /// The current values, in f64.
  func values() -> [(name: String, value: Tensor)] {
    zip(names, zip(pointers, shapes)).map { name, pair in
      let (buffer, shape) = pair
      return (
        name, Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { Double(buffer[$0]) })
      )
    }
  }
}
