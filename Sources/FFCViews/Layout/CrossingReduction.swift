/// Orders the nodes within each layer to make few edge crossings: barycenter sweeps down and up
/// the layers (each node moves to the mean position of its neighbours in the layer just swept),
/// keeping the order with the fewest crossings seen. Ties keep the current order, so the result
/// depends only on the graph.
struct CrossingReduction {
  static let sweeps = 8

  /// The nodes of each layer, left to right, and how many crossings that order has.
  static func order(_ graph: ProperGraph, layerCount: Int) -> (layers: [[Int]], crossings: Int) {
    var layers = [[Int]](repeating: [], count: layerCount)
    for node in 0..<graph.count { layers[graph.layerOf[node]].append(node) }
    var position = [Int](repeating: 0, count: graph.count)
    func index() {
      for layer in layers {
        for (i, node) in layer.enumerated() { position[node] = i }
      }
    }
    index()
    var best = layers
    var bestCrossings = crossings(graph, layers, position)
    for sweep in 0..<sweeps where bestCrossings > 0 {
      let down = sweep % 2 == 0
      let range =
        down ? Array(1..<max(1, layerCount)) : Array((0..<max(0, layerCount - 1)).reversed())
      for layer in range {
        let neighbours = down ? graph.above : graph.below
        layers[layer] = reordered(layers[layer], neighbours, position)
        for (i, node) in layers[layer].enumerated() { position[node] = i }
      }
      let count = crossings(graph, layers, position)
      if count < bestCrossings {
        best = layers
        bestCrossings = count
      }
    }
    return (best, bestCrossings)
  }

  private static func reordered(_ layer: [Int], _ neighbours: [[Int]], _ position: [Int]) -> [Int] {
    let keys: [(barycenter: Double, current: Int, node: Int)] = layer.enumerated().map {
      i, node in
      let adjacent = neighbours[node]
      guard !adjacent.isEmpty else { return (Double(i), i, node) }
      let sum = adjacent.reduce(0) { $0 + position[$1] }
      return (Double(sum) / Double(adjacent.count), i, node)
    }
    return keys.sorted {
      $0.barycenter != $1.barycenter ? $0.barycenter < $1.barycenter : $0.current < $1.current
    }.map(\.node)
  }

  /// Crossings between every pair of adjacent layers, counted with a Fenwick tree over the lower
  /// layer's positions (Barth, Jünger and Mutzel's method: O(E log V)).
  static func crossings(_ graph: ProperGraph, _ layers: [[Int]], _ position: [Int]) -> Int {
    var total = 0
    for layer in layers.dropLast() {
      var targets: [Int] = []
      for node in layer {
        targets += graph.below[node].map { position[$0] }.sorted()
      }
      guard let largest = targets.max() else { continue }
      var tree = [Int](repeating: 0, count: largest + 2)
      for (seen, target) in targets.enumerated() {
        var atMost = 0
        var i = target + 1
        while i > 0 {
          atMost += tree[i]
          i -= i & -i
        }
        total += seen - atMost
        i = target + 1
        while i < tree.count {
          tree[i] += 1
          i += i & -i
        }
      }
    }
    return total
  }
}
