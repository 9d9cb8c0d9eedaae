import FFCIR

/// Where a trained parameter's first value comes from: values in memory, or a file the buffer
/// is filled from chunk by chunk.
enum ParameterStart {
  case values(Tensor)
  case stored(StoredTensor)

  var shape: [Int] {
    switch self {
    case .values(let t): t.shape
    case .stored(let s): s.shape
    }
  }
}

/// The parameters being trained, in buffers every plan of a trainer reads and the optimizer
/// writes, plus the gradient sums of a per-example mini-batch (made at the first such step: a
/// batch program's gradients are the plan's own). Each parameter is known by its gradient: the
/// parameter's place among the declarations (the same in every graph derived from the compiled
/// one) and the gradient's node in the gradient graph. Unchecked Sendable: a trainer uses its
/// buffers from one thread at a time, and `value(_:of:)` hands them out read-only.
final class ParameterBuffers<T: PlanScalar>: @unchecked Sendable {
  let gradients: [Gradient]
  let shapes: [[Int]]
  let counts: [Int]
  let pointers: [UnsafeMutablePointer<T>]
  private var sums: [UnsafeMutablePointer<T>] = []

  /// Allocates the buffers through `MemoryBudget` (the C allocator, zeroed), so a parameter too
  /// large for the memory left is an error naming it, not an abort in Swift's allocator. `graph`
  /// holds the parameters' declarations (for the message).
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  init(_ initial: [(Gradient, ParameterStart)], of graph: Graph) throws(EvaluationError) {
    gradients = initial.map(\.0)
    shapes = initial.map(\.1.shape)
    counts = initial.map { $0.1.shape.reduce(1, *) }
    var pointers: [UnsafeMutablePointer<T>] = []
    // Whatever was allocated before a refusal is freed: deinit does not run for a failed init.
    func releaseAll() { for buffer in pointers { MemoryBudget.release(buffer) } }
    for ((gradient, value), count) in zip(initial, counts) {
      let declaration = graph.parameter(of: gradient)
      do throws(EvaluationError) {
        let buffer: UnsafeMutablePointer<T> = try MemoryBudget.allocate(
          count, of: "the parameter '\(declaration.name)'", at: declaration.location)
        pointers.append(buffer)
        switch value {
        case .values(let tensor): for (i, x) in tensor.scalars.enumerated() { buffer[i] = T(x) }
        case .stored(let file): try Plan<T>.fill(buffer, from: file, for: declaration)
        }
      } catch {
        releaseAll()
        throw error
      }
    }
    self.pointers = pointers
  }

  deinit {
    for buffer in pointers + sums { MemoryBudget.release(buffer) }
  }

  /// The parameters' buffers by their leaves in `graph` (the gradient graph or one derived from
  /// it), for a plan to read and write in place.
  func external(in graph: Graph) -> [NodeID: UnsafeMutablePointer<T>] {
    var external: [NodeID: UnsafeMutablePointer<T>] = [:]
    for (gradient, pointer) in zip(gradients, pointers) {
      external[graph.parameter(of: gradient).node] = pointer
    }
    return external
  }

  var sumPointers: [UnsafePointer<T>] { sums.map { UnsafePointer($0) } }

  /// Zeroes the gradient sums, made at the first call (through `MemoryBudget`, so a refusal is
  /// an error naming the parameter); `graph` holds the parameters' declarations.
  func clearSums(of graph: Graph) throws(EvaluationError) {
    if sums.isEmpty {
      var made: [UnsafeMutablePointer<T>] = []
      for (gradient, count) in zip(gradients, counts) {
        let declaration = graph.parameter(of: gradient)
        do throws(EvaluationError) {
          made.append(
            try MemoryBudget.allocate(
              count, of: "the gradient sums of '\(declaration.name)'", at: declaration.location))
        } catch {
          for buffer in made { MemoryBudget.release(buffer) }
          throw error
        }
      }
      sums = made
    }
    for (buffer, count) in zip(sums, counts) { buffer.update(repeating: 0, count: count) }
  }

  /// Adds the gradients of a plan of the gradient graph.
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  func accumulate(_ plan: Plan<T>) {
    for (index, gradient) in gradients.enumerated() {
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

  /// The gradients' buffers in a plan of the gradient graph, in the parameters' order.
  func gradientPointers(_ plan: Plan<T>) -> [UnsafePointer<T>] {
    gradients.map { UnsafePointer(plan.buffer(of: $0.node)) }
  }

  /// The buffers of the gradients at `indices`, in that order.
  func gradientPointers(_ plan: Plan<T>, _ indices: [Int]) -> [UnsafePointer<T>] {
    indices.map { UnsafePointer(plan.buffer(of: gradients[$0].node)) }
  }

  /// Sets every parameter from a checkpoint's values (in the parameters' order); false when
  /// their shapes are not these parameters'.
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  func restore(_ values: [StoredTensor]) -> Bool {
    guard values.map(\.shape) == shapes else { return false }
    for (buffer, value) in zip(pointers, values) {
      value.forEachChunk { start, chunk in
        for (i, x) in chunk.enumerated() { buffer[start + i] = T(x) }
      }
    }
    return true
  }

  /// Parameter `index`'s values as a stored tensor that reads this buffer chunk by chunk
  /// (converted exactly to Doubles), so a trained model is saved without a copy of it. It reads
  /// the values as they are when read, and keeps the buffers alive.
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  func value(_ index: Int, of graph: Graph) -> StoredTensor {
    let name = graph.parameter(of: gradients[index]).name
    return StoredTensor(
      shape: shapes[index], source: "the trained value of '\(name)'",
      key: "trained \(ObjectIdentifier(self).hashValue) \(index)"
    ) { [self] start, count, out in
      let buffer = pointers[index] + start
      for i in 0..<count { out[i] = Double(buffer[i]) }
    }
  }
}
