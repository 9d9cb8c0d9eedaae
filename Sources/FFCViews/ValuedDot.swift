import FFCIR
import FFCTensor

/// `ffc run --emit dot`: the graph `DotPrinter` draws, with every node's value on it, as the
/// course's figures draw a network with its numbers: each node's name, op and shape over its value
/// (written out or summarised, see `ValueSummary`), gradient nodes with their gradients, each
/// parameter with its value and its gradient side by side, and NaN and infinity in red. The values
/// come from the caller (the driver runs the graph); this only draws them.
public struct ValuedDot {
  let graph: Graph
  /// Each node's value, by node index; nil where none was computed.
  let values: [Tensor?]
  /// A line under the graph saying where the values come from.
  let note: String?

  public init(graph: Graph, values: [Tensor?], note: String? = nil) {
    self.graph = graph
    self.values = values
    self.note = note
  }

  public func render() -> String {
    // Each parameter's gradient node and its name (`dL/dW1`, whatever the node is called).
    var gradientOf = [(node: NodeID, name: String)?](repeating: nil, count: graph.nodes.count)
    let loss = graph.loss?.name ?? "L"
    for gradient in graph.gradients {
      let parameter = graph.parameter(of: gradient)
      gradientOf[parameter.node.index] = (gradient.node, "d\(loss)/d\(parameter.name)")
    }
    var header: [String] = []
    if let note {
      header.append(
        "label=\(DotPrinter().quoted(note)); labelloc=t; fontname=\"monospace\"; fontsize=11;")
    }
    // A forward value read by the gradient is drawn faint, so that the forward pass and the
    // backward pass each read as one chain, as the figures draw them.
    let nodes = graph.nodes
    let restyle = { (from: NodeID, to: NodeID) -> [String] in
      !nodes[from.index].isGradient && nodes[to.index].isGradient
        ? ["color=\"\(Palette.crossing)\"", "style=dashed"] : []
    }
    let relabel = { (id: NodeID, caption: DotPrinter.NodeCaption) -> DotPrinter.NodeLabel? in
      guard let value = value(id) else { return nil }
      let summary = ValueSummary(value)
      var cells = [Self.valueCell(summary, heading: nil, fill: nil)]
      var flagged = summary.isFlagged
      if let gradient = gradientOf[id.index], let gradientValue = self.value(gradient.node) {
        let gradientSummary = ValueSummary(gradientValue)
        cells = [
          Self.valueCell(summary, heading: "value", fill: nil),
          Self.valueCell(gradientSummary, heading: gradient.name, fill: Palette.gradient),
        ]
        flagged = flagged || gradientSummary.isFlagged
      }
      return Self.label(caption, cells: cells, flagged: flagged)
    }
    return DotPrinter(header: header, relabel: relabel, restyleEdge: restyle).print(graph)
  }

  private func value(_ id: NodeID) -> Tensor? {
    id.index < values.count ? values[id.index] : nil
  }

  /// The node's title and shape over its value cells (one, or the value and the gradient of a
  /// parameter side by side).
  static func label(_ caption: DotPrinter.NodeCaption, cells: [String], flagged: Bool)
    -> DotPrinter.NodeLabel
  {
    let title =
      "\(Markup.escaped(caption.title)) <FONT COLOR=\"\(Palette.muted)\">\(caption.shape)</FONT>"
    let html =
      "<TABLE BORDER=\"0\" CELLBORDER=\"0\" CELLSPACING=\"2\" CELLPADDING=\"0\">"
      + "<TR><TD COLSPAN=\"\(cells.count)\">\(title)</TD></TR>"
      + "<TR>\(cells.joined())</TR></TABLE>"
    var attributes: [String] = []
    if caption.declaration != nil { attributes.append("shape=box") }
    if flagged { attributes += ["color=\"\(Palette.flag)\"", "penwidth=2"] }
    return DotPrinter.NodeLabel(html: html, attributes: attributes)
  }

  /// One value as a table cell: an optional heading (`dL/dW1`), then its numbers in rows (a NaN
  /// or an infinity in red), or its statistics, heat strip and count of NaNs and infinities.
  static func valueCell(_ summary: ValueSummary, heading: String?, fill: String?) -> String {
    var rows: [String] = []
    let columns = max(1, summary.rows?.map(\.count).max() ?? 1)
    if let heading {
      rows.append(
        "<TR><TD COLSPAN=\"\(columns)\"><FONT COLOR=\"\(Palette.muted)\">\(Markup.escaped(heading))</FONT></TD></TR>"
      )
    }
    if let numbers = summary.rows {
      for row in numbers {
        rows.append(
          "<TR>" + row.enumerated().map { numberCell($1, gap: $0 > 0) }.joined() + "</TR>")
      }
    } else if let fill = summary.fill {
      rows.append("<TR><TD>all \(numberText(ValueSummary.number(fill)))</TD></TR>")
    } else {
      if let statistics = summary.statisticsText {
        rows.append("<TR><TD>\(Markup.escaped(statistics))</TD></TR>")
      }
      if let heat = summary.heat { rows.append("<TR><TD>\(heatStrip(heat))</TD></TR>") }
    }
    // Written-out numbers are marked cell by cell; a summary says how many there are.
    if summary.rows == nil, let flags = summary.flagText {
      rows.append(
        "<TR><TD COLSPAN=\"\(columns)\"><FONT COLOR=\"\(Palette.flag)\"><B>\(flags)</B></FONT></TD></TR>"
      )
    }
    let background = fill.map { " BGCOLOR=\"\($0)\"" } ?? ""
    return
      "<TD CELLPADDING=\"2\"\(background)><TABLE BORDER=\"0\" CELLBORDER=\"0\" CELLSPACING=\"0\" CELLPADDING=\"1\">"
      + rows.joined() + "</TABLE></TD>"
  }

  /// A number right-aligned in its column, after a space unless it is the row's first.
  private static func numberCell(_ text: String, gap: Bool) -> String {
    let isFlag = text == "nan" || text == "inf" || text == "-inf"
    let background = isFlag ? " BGCOLOR=\"\(Palette.flagBackground)\"" : ""
    let space = gap ? "&#160;" : ""
    return "<TD ALIGN=\"RIGHT\"\(background)>\(space)\(numberText(text))</TD>"
  }

  private static func numberText(_ text: String) -> String {
    let isFlag = text == "nan" || text == "inf" || text == "-inf"
    return isFlag ? "<FONT COLOR=\"\(Palette.flag)\"><B>\(text)</B></FONT>" : text
  }

  /// A row of small coloured cells, one per stretch of the value.
  private static func heatStrip(_ levels: [Double?]) -> String {
    "<TABLE BORDER=\"0\" CELLBORDER=\"0\" CELLSPACING=\"0\" CELLPADDING=\"0\"><TR>"
      + levels.map {
        "<TD WIDTH=\"6\" HEIGHT=\"8\" FIXEDSIZE=\"TRUE\" BGCOLOR=\"\(ValueSummary.heatColor($0))\"></TD>"
      }.joined() + "</TR></TABLE>"
  }
}

/// The colours the valued graph adds to `DotPrinter`'s.
private enum Palette {
  static let gradient = "#fde3c8"
  static let muted = "#777777"
  static let crossing = "#c8c8c8"
  static let flag = "#b00020"
  static let flagBackground = "#f9d6d5"
}
