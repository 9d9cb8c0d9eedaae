import FFCTensor

/// Data already held as Doubles in memory (a CSV table's blocks, `StoredTensor.shared`), lent to
/// a plan as the buffers of the leaves it feeds, so the file's numbers are held once (`ffc run` at
/// f64, `ffc check`). The plan only reads them: a leaf is never a kernel's output.
enum SharedData {
  /// Calls `body` with a pointer into the shared array for each name in `stored` whose values
  /// are a block of it (the largest array shared, the table's; pinned for the call).
  static func withBuffers<R, E: Error>(
    _ stored: [String: StoredTensor],
    _ body: ([String: UnsafeMutablePointer<Double>]) throws(E) -> R
  ) throws(E) -> R {
    let shared = stored.compactMap { name, value in
      value.shared.map { (name: name, scalars: $0.scalars, offset: $0.offset, count: value.count) }
    }.sorted { $0.name < $1.name }
    guard let largest = shared.max(by: { $0.scalars.count < $1.scalars.count }),
      !largest.scalars.isEmpty
    else { return try body([:]) }
    return try largest.scalars.withUnsafeBufferPointer { values throws(E) in
      let base = UnsafeMutableRawPointer(mutating: values.baseAddress!)
        .assumingMemoryBound(to: Double.self)
      var buffers: [String: UnsafeMutablePointer<Double>] = [:]
      for feed in shared where feed.count > 0 {
        // The same array (the table's): compared, not kept.
        let same = feed.scalars.withUnsafeBufferPointer { $0.baseAddress == values.baseAddress }
        if same { buffers[feed.name] = base + feed.offset }
      }
      return try body(buffers)
    }
  }

  /// The same for data held as Floats (a CSV table narrowed for an f32 run,
  /// `StoredTensor.sharedFloats`): a pointer to each name's Floats, the array's memory bound to
  /// Float for the call.
  static func withFloatBuffers<R, E: Error>(
    _ stored: [String: StoredTensor],
    _ body: ([String: UnsafeMutablePointer<Float>]) throws(E) -> R
  ) throws(E) -> R {
    let shared = stored.compactMap { name, value in
      value.sharedFloats.map {
        (name: name, storage: $0.storage, offset: $0.offset, count: value.count)
      }
    }.sorted { $0.name < $1.name }
    guard let largest = shared.max(by: { $0.storage.count < $1.storage.count }),
      !largest.storage.isEmpty
    else { return try body([:]) }
    return try largest.storage.withUnsafeBufferPointer { values throws(E) in
      let base = UnsafeMutablePointer(mutating: values.baseAddress!)
      return try base.withMemoryRebound(to: Float.self, capacity: 2 * values.count) {
        floats throws(E) in
        var buffers: [String: UnsafeMutablePointer<Float>] = [:]
        for feed in shared where feed.count > 0 {
          // The same array (the table's): compared, not kept.
          let same = feed.storage.withUnsafeBufferPointer { $0.baseAddress == values.baseAddress }
          if same { buffers[feed.name] = floats + feed.offset }
        }
        return try body(buffers)
      }
    }
  }
}
