/// A layered drawing of a directed graph in the manner of Sugiyama, Tagawa and Toda: layers by
/// longest path, long edges cut by dummy nodes, crossings reduced by barycenter sweeps, then
/// coordinates. Every step is a loop over arrays in index order (no recursion, no iteration over a
/// set or dictionary), so the same graph gives the same drawing in every process, in time close to
/// linear in the nodes and edges.
public enum LayeredLayout {
  public static func layout(_ graph: LayoutGraph, spacing: LayoutSpacing = LayoutSpacing())
    -> Layout
  {
    let layering = Layering(graph)
    let proper = ProperGraph(graph, layering)
    let (layers, crossings) = CrossingReduction.order(proper, layerCount: layering.layerCount)
    let widths = (0..<proper.count).map { proper.isDummy($0) ? 0 : graph.sizes[$0].width }
    var x = CoordinateAssignment.centres(proper, layers, widths: widths, spacing: spacing)
    // Layer tops: each layer as tall as its tallest node.
    var layerTop = [Double](repeating: 0, count: layers.count)
    var layerHeight = [Double](repeating: 0, count: layers.count)
    var top = spacing.margin
    for (index, layer) in layers.enumerated() {
      layerTop[index] = top
      layerHeight[index] =
        layer.filter { !proper.isDummy($0) }.map { graph.sizes[$0].height }.max() ?? 0
      top += layerHeight[index] + spacing.layerGap
    }
    let left = (0..<proper.count).map { x[$0] - widths[$0] / 2 }.min() ?? 0
    let right = (0..<proper.count).map { x[$0] + widths[$0] / 2 }.max() ?? 0
    for i in x.indices { x[i] += spacing.margin - left }
    let y = (0..<proper.count).map {
      layerTop[proper.layerOf[$0]] + layerHeight[proper.layerOf[$0]] / 2
    }
    let centres = (0..<graph.nodeCount).map { LayoutPoint(x: x[$0], y: y[$0]) }
    let routes = proper.chains.enumerated().map { index, chain -> [LayoutPoint] in
      var points = chain.enumerated().map { position, node -> LayoutPoint in
        guard !proper.isDummy(node) else { return LayoutPoint(x: x[node], y: y[node]) }
        let half = graph.sizes[node].height / 2
        let offset = chain.count == 1 ? 0 : position == 0 ? half : -half
        return LayoutPoint(x: x[node], y: y[node] + offset)
      }
      if layering.reversed[index] { points.reverse() }
      return points
    }
    return Layout(
      centres: centres, sizes: graph.sizes, layers: layering.layers, routes: routes,
      width: right - left + 2 * spacing.margin,
      height: max(top - spacing.layerGap + spacing.margin, 2 * spacing.margin),
      crossings: crossings)
  }
}
