/// The first step of the layered layout: a topological order, and a layer for every node, so
/// every edge points from a lower layer number to a higher one.
struct Layering {
  /// Each node's layer, from 0.
  var layers: [Int]
  /// True for edges that run against the order found (only in a cyclic input); they are laid out
  /// reversed and their routes turned back.
  var reversed: [Bool]
  var layerCount: Int

  /// Longest path from the sources (Kahn's order, lowest index first, so the same graph always
  /// gives the same layers); then, from the bottom up, every node with users moves down to just
  /// above its nearest user, so a parameter, and a `broadcast_to` of a bias, sits beside the layer
  /// that reads it instead of at the top with an edge across every layer between.
  init(_ graph: LayoutGraph) {
    let n = graph.nodeCount
    let order = Layering.topologicalOrder(graph)
    var rank = [Int](repeating: 0, count: n)
    for (position, node) in order.enumerated() { rank[node] = position }
    reversed = graph.edges.map { rank[$0.from] > rank[$0.to] }
    var predecessors = [[Int]](repeating: [], count: n)
    var successors = [[Int]](repeating: [], count: n)
    for (index, edge) in graph.edges.enumerated() where edge.from != edge.to {
      let (upper, lower) = reversed[index] ? (edge.to, edge.from) : (edge.from, edge.to)
      predecessors[lower].append(upper)
      successors[upper].append(lower)
    }
    var layers = [Int](repeating: 0, count: n)
    for node in order {
      for upper in predecessors[node] { layers[node] = max(layers[node], layers[upper] + 1) }
    }
    for node in order.reversed() where !successors[node].isEmpty {
      if predecessors[node].isEmpty && node < graph.pinnedToTop.count && graph.pinnedToTop[node] {
        continue
      }
      layers[node] = successors[node].map { layers[$0] }.min()! - 1
    }
    // Moving down may leave the top layers empty.
    let top = layers.min() ?? 0
    self.layers = layers.map { $0 - top }
    layerCount = (self.layers.max() ?? -1) + 1
  }

  /// Kahn's algorithm with a first-in-first-out queue seeded in index order. A cycle leaves nodes
  /// unvisited; the lowest-indexed of them is taken as if its remaining inputs were absent.
  static func topologicalOrder(_ graph: LayoutGraph) -> [Int] {
    let n = graph.nodeCount
    var indegree = [Int](repeating: 0, count: n)
    var successors = [[Int]](repeating: [], count: n)
    for edge in graph.edges where edge.from != edge.to {
      indegree[edge.to] += 1
      successors[edge.from].append(edge.to)
    }
    var order: [Int] = []
    order.reserveCapacity(n)
    var visited = [Bool](repeating: false, count: n)
    var queue = (0..<n).filter { indegree[$0] == 0 }
    for node in queue { visited[node] = true }
    var head = 0
    var nextUnvisited = 0
    while order.count < n {
      if head == queue.count {
        // Only a cycle leaves the queue empty with nodes to go: break it at its lowest node.
        while visited[nextUnvisited] { nextUnvisited += 1 }
        visited[nextUnvisited] = true
        queue.append(nextUnvisited)
      }
      let node = queue[head]
      head += 1
      order.append(node)
      for next in successors[node] where !visited[next] {
        indegree[next] -= 1
        if indegree[next] == 0 {
          visited[next] = true
          queue.append(next)
        }
      }
    }
    return order
  }
}
