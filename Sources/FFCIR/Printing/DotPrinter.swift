/// The graph for Graphviz: values as boxes labelled with their name, op and shape; edges in
/// data-flow direction; forward nodes and gradient nodes in separate, differently coloured
/// clusters; declared leaves as ellipses; roots as double outlines. Same graph, same bytes.
public struct DotPrinter {
  public init() {}

  public func print(_ graph: Graph) -> String {
    let names = PrintNames(graph)
    var declarationOf = [Declaration?](repeating: nil, count: graph.nodes.count)
    for declaration in graph.declarations { declarationOf[declaration.node.index] = declaration }
    var lines = [
      "digraph \(quoted(graph.name)) {",
      "  rankdir=TB;",
      "  node [shape=box, style=\"rounded,filled\", fontname=\"monospace\", fontsize=10, fillcolor=\"#ffffff\"];",
      "  edge [color=\"#555555\", arrowsize=0.6];",
    ]
    var forward: [String] = []
    var gradient: [String] = []
    var edges: [String] = []
    for (index, node) in graph.nodes.enumerated() {
      let id = NodeID(index)
      let line = "    n\(index) [\(attributes(node, id, graph, names, declaration: declarationOf[index]))];"
      if node.isGradient { gradient.append(line) } else { forward.append(line) }
      let ordered = node.inputs.count > 1 && !node.op.traits.contains(.commutative)
      for (position, input) in node.inputs.enumerated() {
        let label = ordered ? " [label=\"\(position)\", fontsize=8]" : ""
        edges.append("  n\(input.index) -> n\(index)\(label);")
      }
    }
    lines.append("  subgraph cluster_forward {")
    lines.append("    label=\"forward\"; color=\"#4a7ab5\"; fontname=\"monospace\";")
    lines += forward
    lines.append("  }")
    if !gradient.isEmpty {
      lines.append("  subgraph cluster_gradient {")
      lines.append("    label=\"gradient (Differentiate)\"; color=\"#d9822b\"; style=dashed; fontname=\"monospace\";")
      lines += gradient
      lines.append("  }")
    }
    lines += edges
    lines += rootLines(graph, names)
    lines.append("}")
    return lines.joined(separator: "\n") + "\n"
  }

  private func attributes(_ node: Node, _ id: NodeID, _ graph: Graph, _ names: PrintNames, declaration: Declaration?) -> String {
    let name = names[id]
    if let d = declaration {
      let fill = d.kind == .param ? "#fff2b3" : "#dbe9f6"
      return "label=\(quoted("\(d.kind.rawValue) \(name)\n\(node.shape)")), shape=ellipse, fillcolor=\"\(fill)\""
    }
    if let value = node.constantValue {
      return "label=\(quoted(TensorFormat.summary(value))), shape=plaintext, style=\"\""
    }
    let op = graph.operationText(node, names).split(separator: " ").first.map(String.init) ?? node.op.name
    let title = name.first?.isNumber == true ? op : "\(name) = \(op)"
    let fill = node.isGradient ? "#fde3c8" : "#ffffff"
    return "label=\(quoted("\(title)\n\(node.shape)")), fillcolor=\"\(fill)\""
  }

  /// Outputs, the loss and the gradients as named sinks.
  private func rootLines(_ graph: Graph, _ names: PrintNames) -> [String] {
    var roots: [(String, NodeID, String)] = graph.outputs.map { ("output \($0.name)", $0.node, "#dbe9f6") }
    if let loss = graph.loss { roots.append(("loss \(loss.name)", loss.node, "#f4c7c3")) }
    roots += graph.gradients.map { ("grad \($0.name)", $0.node, "#fde3c8") }
    var lines: [String] = []
    for (index, root) in roots.enumerated() {
      lines.append("  r\(index) [label=\(quoted(root.0)), shape=box, peripheries=2, fillcolor=\"\(root.2)\"];")
      lines.append("  n\(root.1.index) -> r\(index) [style=dashed];")
    }
    return lines
  }

  private func quoted(_ text: String) -> String {
    var out = "\""
    for character in text {
      switch character {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      default: out.append(character)
      }
    }
    return out + "\""
  }
}
