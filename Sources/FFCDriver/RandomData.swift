import FFCIR
import FFCRuntime

/// Values for the inputs, targets and labels that nothing else gives, for checks that need only
/// some point: inputs from U(−1, 1), targets from U(0, 1) (valid for every loss), labels uniform
/// over their classes; symbolic sizes are `symbolSize` (3 for a check) unless a given value fixes them.
enum RandomData {
  /// `stored` are data kept where they were read (`RunInputs.storedFeeds`): given, like `feeds`.
  static func fill(
    _ feeds: inout [String: Tensor], graph: Graph, seed: UInt64, symbolSize: Int = 3,
    stored: [String: StoredTensor] = [:]
  ) throws(EvaluationError) {
    var rng = SplitMix64(seed: seed ^ 0xDA7A)
    let classes = graph.labelClasses()
    var sizes: [String: Int] = [:]
    for declaration in graph.declarations {
      guard
        let shape = feeds[declaration.name]?.shape ?? stored[declaration.name]?.shape
          ?? declaration.defaultValue?.shape
      else { continue }
      for (dim, size) in zip(declaration.shape.dims, shape) {
        if case .symbol(let s) = dim { sizes[s] = size }
      }
    }
    for declaration in graph.declarations
    where declaration.kind != .param && declaration.kind != .const {
      guard feeds[declaration.name] == nil, stored[declaration.name] == nil,
        declaration.defaultValue == nil
      else { continue }
      let shape = declaration.shape.dims.map { dim in
        dim.value ?? sizes[dim.description, default: symbolSize]
      }
      try MemoryBudget.reserve(
        shape, bytesPerElement: MemoryLayout<Double>.stride,
        of: "random data for \(declaration.kind.rawValue) '\(declaration.name)'",
        at: declaration.location)
      let k = classes.first { $0.name == declaration.name }?.classes ?? 2
      let values = (0..<shape.reduce(1, *)).map { _ -> Double in
        switch declaration.kind {
        case .label: Double(rng.next() % UInt64(k))
        case .target: rng.uniform(0, 1)
        default: rng.uniform(-1, 1)
        }
      }
      feeds[declaration.name] = Tensor(shape: shape, scalars: values)
    }
  }
}
