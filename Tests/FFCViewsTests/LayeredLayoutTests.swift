import Testing

@testable import FFCViews

/// A chain of `layers` dense-like steps: each step reads the previous value and its own weight
/// and bias leaves, as an MLP's graph does.
func denseChain(layers: Int) -> LayoutGraph {
  var sizes = [LayoutSize(width: 60, height: 30)]
  var edges: [LayoutEdge] = []
  var previous = 0
  for _ in 0..<layers {
    let weight = sizes.count
    let bias = weight + 1
    let product = weight + 2
    let sum = weight + 3
    let activation = weight + 4
    sizes += [
      LayoutSize(width: 40, height: 20), LayoutSize(width: 40, height: 20),
      LayoutSize(width: 80, height: 30), LayoutSize(width: 70, height: 30),
      LayoutSize(width: 90, height: 30),
    ]
    edges += [
      LayoutEdge(previous, product), LayoutEdge(weight, product), LayoutEdge(product, sum),
      LayoutEdge(bias, sum), LayoutEdge(sum, activation),
    ]
    previous = activation
  }
  // A skip connection over the whole chain gives one long edge.
  edges.append(LayoutEdge(0, previous))
  return LayoutGraph(sizes: sizes, edges: edges)
}

/// No two boxes overlap: boxes in one layer are apart horizontally, and layers do not share rows.
func expectNoOverlap(_ layout: Layout, sourceLocation: SourceLocation = #_sourceLocation) {
  var byLayer: [[Int]] = []
  for (node, layer) in layout.layers.enumerated() {
    while byLayer.count <= layer { byLayer.append([]) }
    byLayer[layer].append(node)
  }
  for nodes in byLayer {
    let sorted = nodes.sorted { layout.centres[$0].x < layout.centres[$1].x }
    for (a, b) in zip(sorted, sorted.dropFirst()) {
      let rightOfA = layout.centres[a].x + layout.sizes[a].width / 2
      let leftOfB = layout.centres[b].x - layout.sizes[b].width / 2
      #expect(rightOfA <= leftOfB, "nodes \(a) and \(b) overlap", sourceLocation: sourceLocation)
    }
  }
  for (upper, lower) in zip(byLayer, byLayer.dropFirst()) where !upper.isEmpty && !lower.isEmpty {
    let bottom = upper.map { layout.centres[$0].y + layout.sizes[$0].height / 2 }.max()!
    let top = lower.map { layout.centres[$0].y - layout.sizes[$0].height / 2 }.min()!
    #expect(bottom < top, sourceLocation: sourceLocation)
  }
  for (node, centre) in layout.centres.enumerated() {
    #expect(centre.x - layout.sizes[node].width / 2 >= 0, sourceLocation: sourceLocation)
    #expect(centre.x + layout.sizes[node].width / 2 <= layout.width, sourceLocation: sourceLocation)
    #expect(centre.y + layout.sizes[node].height / 2 <= layout.height)
  }
}

@Test func layoutKeepsBoxesApart() {
  let graph = denseChain(layers: 6)
  expectNoOverlap(LayeredLayout.layout(graph))
}

@Test func edgesPointDownTheLayers() {
  let graph = denseChain(layers: 6)
  let layout = LayeredLayout.layout(graph)
  for (index, edge) in graph.edges.enumerated() {
    #expect(layout.layers[edge.from] < layout.layers[edge.to])
    let route = layout.routes[index]
    #expect(route.count == layout.layers[edge.to] - layout.layers[edge.from] + 1)
    for (a, b) in zip(route, route.dropFirst()) { #expect(a.y < b.y) }
    #expect(route.first!.y == layout.centres[edge.from].y + graph.sizes[edge.from].height / 2)
    #expect(route.last!.y == layout.centres[edge.to].y - graph.sizes[edge.to].height / 2)
  }
}

@Test func leavesSitJustAboveTheirUser() {
  let graph = denseChain(layers: 4)
  let layout = LayeredLayout.layout(graph)
  // The last weight leaf (index 16) feeds the last product (18): one layer apart, not at the top.
  #expect(layout.layers[18] - layout.layers[16] == 1)
}

@Test func layoutIsDeterministic() {
  let graph = denseChain(layers: 20)
  let first = LayeredLayout.layout(graph)
  let second = LayeredLayout.layout(graph)
  #expect(first.centres == second.centres)
  #expect(first.routes == second.routes)
  // Fixed figures for a small graph: a change here changes every drawing ffc makes, across
  // processes and machines alike.
  let small = LayeredLayout.layout(
    LayoutGraph(
      sizes: [
        LayoutSize(width: 40, height: 20), LayoutSize(width: 20, height: 20),
        LayoutSize(width: 30, height: 10),
      ],
      edges: [LayoutEdge(0, 2), LayoutEdge(1, 2)]))
  #expect(small.centres.map(\.x) == [28, 74, 51])
  #expect(small.centres.map(\.y) == [18, 18, 69])
  #expect(small.width == 92)
  #expect(small.height == 82)
}

@Test func barycenterSweepsUntangleACrossedLadder() {
  // Two layers whose natural order crosses every edge: 0→5, 1→4, 2→3.
  let sizes = [LayoutSize](repeating: LayoutSize(width: 20, height: 20), count: 6)
  let graph = LayoutGraph(
    sizes: sizes, edges: [LayoutEdge(0, 5), LayoutEdge(1, 4), LayoutEdge(2, 3)])
  let layout = LayeredLayout.layout(graph)
  #expect(layout.crossings == 0)
  #expect(layout.centres[5].x < layout.centres[4].x)
  #expect(layout.centres[4].x < layout.centres[3].x)
}

@Test func crossingsAreCounted() {
  var proper = ProperGraph(
    LayoutGraph(
      sizes: [LayoutSize](repeating: LayoutSize(width: 1, height: 1), count: 4),
      edges: [LayoutEdge(0, 3), LayoutEdge(1, 2)]),
    Layering(
      LayoutGraph(
        sizes: [LayoutSize](repeating: LayoutSize(width: 1, height: 1), count: 4),
        edges: [LayoutEdge(0, 3), LayoutEdge(1, 2)])))
  proper.below[0] = [3]
  #expect(CrossingReduction.crossings(proper, [[0, 1], [2, 3]], [0, 1, 0, 1]) == 1)
  #expect(CrossingReduction.crossings(proper, [[0, 1], [3, 2]], [0, 1, 1, 0]) == 0)
}

@Test func orderedFitIsTheClosestSpacedPlacement() {
  #expect(CoordinateAssignment.fit([0, 0, 0], separations: [10, 10]) == [-10, 0, 10])
  #expect(CoordinateAssignment.fit([0, 100], separations: [10]) == [0, 100])
  #expect(CoordinateAssignment.fit([5, 0, 30], separations: [4, 4]) == [0.5, 4.5, 30])
}

@Test func aCycleIsLaidOutWithoutHanging() {
  let sizes = [LayoutSize](repeating: LayoutSize(width: 20, height: 20), count: 3)
  let graph = LayoutGraph(
    sizes: sizes, edges: [LayoutEdge(0, 1), LayoutEdge(1, 2), LayoutEdge(2, 0), LayoutEdge(1, 1)])
  let layout = LayeredLayout.layout(graph)
  expectNoOverlap(layout)
  #expect(layout.routes.count == 4)
  // The edge against the order runs up, from its source to its target.
  #expect(layout.routes[2].first!.y > layout.routes[2].last!.y)
}

@Test func emptyAndSingleGraphs() {
  let empty = LayeredLayout.layout(LayoutGraph(sizes: [], edges: []))
  #expect(empty.centres.isEmpty)
  let one = LayeredLayout.layout(
    LayoutGraph(sizes: [LayoutSize(width: 10, height: 10)], edges: []))
  #expect(one.centres == [LayoutPoint(x: 13, y: 13)])
}

@Test func aThousandLayerNetLaysOutWithoutOverlap() {
  // Timed in release by ffc-bench --layout; here only its shape is checked.
  let graph = denseChain(layers: 1000)
  let layout = LayeredLayout.layout(graph)
  expectNoOverlap(layout)
  #expect(layout.routes[graph.edges.count - 1].count == layout.layers[5000] - layout.layers[0] + 1)
}

@Test func aChainOfLayersNeedsNoDummies() {
  // A bias is broadcast before it is added: both the bias and its broadcast sit just above the
  // add, so no edge crosses a layer (the broadcast once sat in the second layer, and a deep net
  // drew an edge across every layer for each bias).
  var sizes = [LayoutSize(width: 20, height: 10)]
  var edges: [LayoutEdge] = []
  var previous = 0
  for _ in 0..<50 {
    let bias = sizes.count
    sizes += [LayoutSize](repeating: LayoutSize(width: 20, height: 10), count: 3)
    edges += [
      LayoutEdge(bias, bias + 1), LayoutEdge(previous, bias + 2), LayoutEdge(bias + 1, bias + 2),
    ]
    previous = bias + 2
  }
  let layout = LayeredLayout.layout(LayoutGraph(sizes: sizes, edges: edges))
  #expect(layout.routes.allSatisfy { $0.count == 2 })
  #expect(layout.layers.min() == 0)
}
