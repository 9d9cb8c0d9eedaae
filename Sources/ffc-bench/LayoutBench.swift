import FFCDriver
import FFCIR
import FFCViews

/// `--layout`: for each depth, the layered layout of the tanh MLP's forward graph (every node a
/// box), and the whole `ffc view` page for its unoptimised gradient graph without values (the
/// forward and gradient drawings: per-line groups, each laid out, and the groups laid out);
/// median wall seconds. The page draws the gradient apart from the forward graph, with the
/// forward values it reads drawn again where they are read: one drawing of both would join each
/// activation to its use in backpropagation by an edge across most of the layers, quadratic in
/// the depth.
func layoutBenchmark(_ options: Options) throws {
  print(
    "| depth | forward nodes | forward edges | forward layout (s) | crossings | page (s) | page (MB) |"
  )
  print("|---:|---:|---:|---:|---:|---:|---:|")
  for depth in options.depths {
    let text = MLPGenerator.program(depth: depth, width: 4)
    let result = Compilation.compile(
      SourceFile(path: "mlp\(depth).ffn", text: text),
      options: .init(differentiate: true, optimize: false))
    guard case .success(let (compilation, _)) = result else {
      throw BenchError("mlp\(depth).ffn did not compile")
    }
    // The graph `ffc view` draws: without the nodes nothing reads.
    let graph = compilation.graph.withoutUnreadNodes()
    let forward = graph.nodes.indices.filter { !graph.nodes[$0].isGradient }
    var position = [Int](repeating: -1, count: graph.nodes.count)
    for (index, node) in forward.enumerated() { position[node] = index }
    let drawing = LayoutGraph(
      sizes: forward.map { _ in LayoutSize(width: 90, height: 32) },
      edges: forward.flatMap { user in
        graph.nodes[user].inputs.map { LayoutEdge(position[$0.index], position[user]) }
      })
    var layout: Layout?
    let layoutTimes = (0..<options.repeats).map { _ in
      seconds { layout = LayeredLayout.layout(drawing) }
    }
    let input = ExplorerInput(
      title: "mlp\(depth)", source: text, graph: graph, values: [], valuesNote: "shapes only",
      rewrites: [])
    var page = ""
    let pageTimes = (0..<options.repeats).map { _ in seconds { page = ExplorerPage.html(input) } }
    let megabytes = Double(page.utf8.count) / 1e6
    print(
      "| \(depth) | \(drawing.nodeCount) | \(drawing.edges.count) | \(format(median(layoutTimes))) | \(layout?.crossings ?? 0) | \(format(median(pageTimes))) | \(format(megabytes)) |"
    )
  }
}

private func format(_ x: Double) -> String {
  let hundredths = Int((x * 100).rounded())
  return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
}
