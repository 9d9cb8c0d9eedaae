/// The layered graph with every long edge cut into one-layer segments through dummy nodes, so
/// each segment joins adjacent layers (the "proper" graph of Sugiyama's method). Real nodes keep
/// their indices; dummies follow them.
struct ProperGraph {
  var layerOf: [Int]
  /// Segments from each node to the layer below, and from the layer above, in edge order.
  var below: [[Int]]
  var above: [[Int]]
  /// For every input edge, the nodes its route passes through, top to bottom (ends included).
  var chains: [[Int]]
  let realCount: Int
  var count: Int { layerOf.count }

  init(_ graph: LayoutGraph, _ layering: Layering) {
    realCount = graph.nodeCount
    layerOf = layering.layers
    below = [[Int]](repeating: [], count: realCount)
    above = [[Int]](repeating: [], count: realCount)
    chains = []
    chains.reserveCapacity(graph.edges.count)
    for (index, edge) in graph.edges.enumerated() {
      guard edge.from != edge.to else {
        chains.append([edge.from])
        continue
      }
      let (upper, lower) =
        layering.reversed[index] ? (edge.to, edge.from) : (edge.from, edge.to)
      var chain = [upper]
      var previous = upper
      for layer in (layerOf[upper] + 1)..<layerOf[lower] {
        let dummy = layerOf.count
        layerOf.append(layer)
        below.append([])
        above.append([])
        link(previous, dummy)
        chain.append(dummy)
        previous = dummy
      }
      link(previous, lower)
      chain.append(lower)
      chains.append(chain)
    }
  }

  private mutating func link(_ upper: Int, _ lower: Int) {
    below[upper].append(lower)
    above[lower].append(upper)
  }

  func isDummy(_ node: Int) -> Bool { node >= realCount }
}
