import FFCIR

/// `ffc view`'s page: one HTML file holding the program, its graphs laid out by ffc, every node's
/// facts as JSON, and the script that draws and explains them. It loads nothing: no network, no
/// external script or font, so it opens from `file://` anywhere.
public enum ExplorerPage {
  public static func html(_ input: ExplorerInput) -> String {
    let source = input.source.split(separator: "\n", omittingEmptySubsequences: false).map {
      String($0.hasSuffix("\r") ? $0.dropLast() : $0)
    }
    let facts = NodeFacts.all(input)
    let forward = ExplorerDrawing.forward(input.graph, facts, source)
    let gradient = ExplorerDrawing.gradient(input.graph, facts, source)
    let data = JSONText.object([
      ("title", JSONText.string(input.title)),
      ("source", JSONText.array(source.map { JSONText.string($0) })),
      ("note", JSONText.string(input.valuesNote)),
      ("hasValues", input.values.isEmpty ? "false" : "true"),
      ("nodes", JSONText.array(facts.map(\.json))),
      ("forward", drawingJSON(forward)),
      ("gradient", gradient.items.isEmpty ? "null" : drawingJSON(gradient)),
      ("steps", JSONText.array(steps(input.graph).map(String.init))),
      ("rewrites", JSONText.array(input.rewrites.map(rewriteJSON))),
    ])
    return """
      <!DOCTYPE html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <title>\(Markup.escaped(input.title)) · ffc view</title>
      <style>\(ExplorerStyle.css)</style>
      </head>
      <body>
      \(ExplorerStyle.body(curves: input.curves.map(inlineSVG)))
      <script type="application/json" id="ffc-data">\(data)</script>
      <script>\(ExplorerScript.code)\(ExplorerSelfTest.code)</script>
      </body>
      </html>

      """
  }

  /// The order the interpreter computes the graph, as `--trace` lists it: the forward values, then
  /// the gradient, each after its inputs; leaves and constants are there from the start.
  static func steps(_ graph: Graph) -> [Int] {
    graph.nodes.indices.filter { !graph.nodes[$0].op.isLeaf }
  }

  /// An SVG document as an element of the page: without its XML declaration.
  static func inlineSVG(_ document: String) -> String {
    guard document.hasPrefix("<?xml"), let end = document.firstIndex(of: "\n") else {
      return document
    }
    return String(document[document.index(after: end)...])
  }

  static func drawingJSON(_ drawing: ExplorerDrawing) -> String {
    let groupLayout = drawing.groupLayout!
    let groups = drawing.groups.enumerated().map { index, group in
      let inner = group.inner!
      let edges = group.innerEdges.indices.map { e in
        let edge = group.innerEdges[e]
        let points = inner.routes[e].flatMap { [JSONText.number($0.x), JSONText.number($0.y)] }
        return JSONText.array([String(edge.from), String(edge.to), JSONText.array(points)])
      }
      return JSONText.object([
        ("label", JSONText.string(group.label)), ("line", JSONText.number(group.line)),
        ("solo", group.isSolo ? "true" : "false"),
        ("items", JSONText.array(group.items.map(String.init))),
        (
          "ix",
          JSONText.array(inner.centres.prefix(group.items.count).map { JSONText.number($0.x) })
        ),
        (
          "iy",
          JSONText.array(inner.centres.prefix(group.items.count).map { JSONText.number($0.y) })
        ),
        ("iw", JSONText.number(inner.width)), ("ih", JSONText.number(inner.height)),
        ("ie", JSONText.array(edges)),
        ("layer", String(groupLayout.layers[index])),
        ("cx", JSONText.number(groupLayout.centres[index].x)),
      ])
    }
    return JSONText.object([
      (
        "items",
        JSONText.array(
          drawing.items.map { "[\($0.node),\($0.group),\($0.isReference ? 1 : 0)]" })
      ),
      ("groups", JSONText.array(groups)),
      (
        "edges",
        JSONText.array(
          zip(drawing.crossEdges, drawing.crossRoutes).map { edge, route in
            let points = route.flatMap { [JSONText.number($0.x), JSONText.number($0.y)] }
            return JSONText.array([String(edge.from), String(edge.to), JSONText.array(points)])
          })
      ),
      ("collapsed", drawing.collapsedByDefault ? "true" : "false"),
    ])
  }

  static func rewriteJSON(_ rewrite: ExplorerRewrite) -> String {
    JSONText.object([
      ("pass", JSONText.string(rewrite.pass)), ("rule", JSONText.string(rewrite.rule)),
      ("line", JSONText.number(rewrite.line)), ("before", JSONText.string(rewrite.before)),
      ("after", JSONText.string(rewrite.after)),
    ])
  }
}
