/// Places the ordered layers horizontally: each node as near as it can be to the mean of its
/// neighbours' centres, never closer to the next node in its layer than their half-widths and a
/// gap. Each layer is solved exactly for that (a least-squares fit under order constraints, by
/// pooling adjacent violators in linear time), sweeping down and up the layers a few times so
/// long edges straighten and parents centre over children.
struct CoordinateAssignment {
  static let sweeps = 6

  /// Each node's horizontal centre.
  static func centres(
    _ graph: ProperGraph, _ layers: [[Int]], widths: [Double], spacing: LayoutSpacing
  ) -> [Double] {
    var x = [Double](repeating: 0, count: graph.count)
    for layer in layers {
      let separations = gaps(layer, widths, spacing)
      var left = -(separations.reduce(0, +)) / 2
      for (i, node) in layer.enumerated() {
        x[node] = left
        if i < separations.count { left += separations[i] }
      }
    }
    for sweep in 0..<sweeps {
      let down = sweep % 2 == 0
      let order = down ? Array(layers.indices) : Array(layers.indices.reversed())
      for index in order {
        let layer = layers[index]
        let desired = layer.map { node -> Double in
          let neighbours = down ? graph.above[node] : graph.below[node]
          guard !neighbours.isEmpty else { return x[node] }
          return neighbours.reduce(0) { $0 + x[$1] } / Double(neighbours.count)
        }
        let placed = fit(desired, separations: gaps(layer, widths, spacing))
        for (i, node) in layer.enumerated() { x[node] = placed[i] }
      }
    }
    return x
  }

  /// The least distance between the centres of each node and the next in its layer.
  private static func gaps(_ layer: [Int], _ widths: [Double], _ spacing: LayoutSpacing)
    -> [Double]
  {
    guard layer.count > 1 else { return [] }
    return (0..<(layer.count - 1)).map { i in
      let a = widths[layer[i]]
      let b = widths[layer[i + 1]]
      let gap = a == 0 || b == 0 ? spacing.edgeGap : spacing.nodeGap
      return (a + b) / 2 + gap
    }
  }

  /// The positions closest (in squared distance) to `desired` with x[i+1] - x[i] >= separations[i]:
  /// shifted by the running sum of separations, the constraint is a non-decreasing sequence, which
  /// pooling adjacent violators finds exactly.
  static func fit(_ desired: [Double], separations: [Double]) -> [Double] {
    var offsets = [Double](repeating: 0, count: desired.count)
    for i in separations.indices { offsets[i + 1] = offsets[i] + separations[i] }
    var blocks: [(sum: Double, count: Int)] = []
    for (i, target) in desired.enumerated() {
      blocks.append((target - offsets[i], 1))
      while blocks.count > 1 {
        let last = blocks[blocks.count - 1]
        let previous = blocks[blocks.count - 2]
        guard previous.sum / Double(previous.count) > last.sum / Double(last.count) else { break }
        blocks.removeLast(2)
        blocks.append((previous.sum + last.sum, previous.count + last.count))
      }
    }
    var result: [Double] = []
    result.reserveCapacity(desired.count)
    for block in blocks {
      let value = block.sum / Double(block.count)
      for _ in 0..<block.count { result.append(value + offsets[result.count]) }
    }
    return result
  }
}
