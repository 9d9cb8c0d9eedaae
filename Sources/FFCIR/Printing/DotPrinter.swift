import FFCDiagnostics

/// The graph for Graphviz: values as boxes labelled with their name, op and shape; edges in
/// data-flow direction; forward nodes and gradient nodes in separate, differently coloured
/// clusters; declared leaves as ellipses; roots as double outlines. Same graph, same bytes.
///
/// A caller that knows more about the nodes (their values, in `ffc run --emit dot`) draws them its
/// own way through `relabel`, in the same graph structure; FFCIR itself knows no values.
public struct DotPrinter {
  /// A node as the printer names it, for a caller that labels it itself.
  public struct NodeCaption: Sendable {
    /// `param W1`, `h1 = relu`, `matmul`.
    public let title: String
    public let shape: Shape
    /// The declaration the node is, for leaves the program declares.
    public let declaration: Declaration?
    public let isGradient: Bool
  }

  /// A node's label as an HTML-like label (the text between the outer `<` `>`), and attributes
  /// that replace the printer's own of the same name (`shape=box`) or add to them.
  public struct NodeLabel: Sendable {
    public var html: String
    public var attributes: [String]
    public init(html: String, attributes: [String] = []) {
      self.html = html
      self.attributes = attributes
    }
  }

  /// Lines added to the graph's attributes (a title, the direction of the ranks).
  let header: [String]
  let relabel: ((NodeID, NodeCaption) -> NodeLabel?)?
  /// Attributes added to the edge from a node to its user.
  let restyleEdge: ((_ from: NodeID, _ to: NodeID) -> [String])?

  public init(
    header: [String] = [], relabel: ((NodeID, NodeCaption) -> NodeLabel?)? = nil,
    restyleEdge: ((_ from: NodeID, _ to: NodeID) -> [String])? = nil
  ) {
    self.header = header
    self.relabel = relabel
    self.restyleEdge = restyleEdge
  }

  public func print(_ graph: Graph) -> String {
    let names = PrintNames(graph)
    var declarationOf = [Declaration?](repeating: nil, count: graph.nodes.count)
    for declaration in graph.declarations { declarationOf[declaration.node.index] = declaration }
    var lines =
      [
        "digraph \(quoted(graph.name)) {",
        "  rankdir=TB;",
        "  node [shape=box, style=\"rounded,filled\", fontname=\"monospace\", fontsize=10, fillcolor=\"#ffffff\"];",
        "  edge [color=\"#555555\", arrowsize=0.6];",
      ] + header.map { "  " + $0 }
    var forward = LineGroups()
    var gradient = LineGroups()
    var edges: [String] = []
    for (index, node) in graph.nodes.enumerated() {
      let id = NodeID(index)
      let line =
        "n\(index) [\(attributes(node, id, graph, names, declaration: declarationOf[index]))];"
      // Leaves and constants stay loose; computed values group by the program line (the layer)
      // they come from.
      let group = node.op.isLeaf ? nil : node.location
      if node.isGradient { gradient.add(line, line: group) } else { forward.add(line, line: group) }
      let ordered = node.inputs.count > 1 && !node.op.traits.contains(.commutative)
      for (position, input) in node.inputs.enumerated() {
        var attributes = ordered ? ["label=\"\(position)\"", "fontsize=8"] : []
        attributes += restyleEdge?(input, id) ?? []
        let list = attributes.isEmpty ? "" : " [\(attributes.joined(separator: ", "))]"
        edges.append("  n\(input.index) -> n\(index)\(list);")
      }
    }
    lines.append("  subgraph cluster_forward {")
    lines.append("    label=\"forward\"; color=\"#4a7ab5\"; fontname=\"monospace\";")
    lines += forward.render(prefix: "forward", title: "line")
    lines.append("  }")
    if !gradient.isEmpty {
      lines.append("  subgraph cluster_gradient {")
      lines.append(
        "    label=\"gradient (Differentiate)\"; color=\"#d9822b\"; style=dashed; fontname=\"monospace\";"
      )
      lines += gradient.render(prefix: "gradient", title: "via line")
      lines.append("  }")
    }
    lines += edges
    lines += rootLines(graph, names)
    lines.append("}")
    return lines.joined(separator: "\n") + "\n"
  }

  private func attributes(
    _ node: Node, _ id: NodeID, _ graph: Graph, _ names: PrintNames, declaration: Declaration?
  ) -> String {
    let name = names[id]
    let title: String
    let style: String
    if let d = declaration {
      title = "\(d.kind.rawValue) \(name)"
      style = "shape=ellipse, fillcolor=\"\(d.kind == .param ? "#fff2b3" : "#dbe9f6")\""
    } else if let value = node.constantValue {
      return "label=\(quoted(TensorFormat.summary(value))), shape=plaintext, style=\"\""
    } else {
      let op =
        graph.operationText(node, names).split(separator: " ").first.map(String.init)
        ?? node.op.name
      title = name.first?.isNumber == true ? op : "\(name) = \(op)"
      style = "fillcolor=\"\(node.isGradient ? "#fde3c8" : "#ffffff")\""
    }
    let caption = NodeCaption(
      title: title, shape: node.shape, declaration: declaration, isGradient: node.isGradient)
    guard let label = relabel?(id, caption) else {
      return "label=\(quoted("\(title)\n\(node.shape)")), \(style)"
    }
    // The caller's attributes replace the printer's of the same name (its `shape=box` for an
    // ellipse), so each is written once.
    let replaced = Set(label.attributes.map { $0.prefix { $0 != "=" } })
    let kept = style.components(separatedBy: ", ").filter {
      !replaced.contains($0.prefix { $0 != "=" })
    }
    return (["label=<\(label.html)>"] + kept + label.attributes).joined(separator: ", ")
  }

  /// Outputs, the loss and the gradients as named sinks.
  private func rootLines(_ graph: Graph, _ names: PrintNames) -> [String] {
    var roots: [(String, NodeID, String)] = graph.outputs.map {
      ("output \($0.name)", $0.node, "#dbe9f6")
    }
    if let loss = graph.loss { roots.append(("loss \(loss.name)", loss.node, "#f4c7c3")) }
    roots += graph.gradients.map { ("grad \(graph.parameter(of: $0).name)", $0.node, "#fde3c8") }
    var lines: [String] = []
    for (index, root) in roots.enumerated() {
      lines.append(
        "  r\(index) [label=\(quoted(root.0)), shape=box, peripheries=2, fillcolor=\"\(root.2)\"];")
      lines.append("  n\(root.1.index) -> r\(index) [style=dashed];")
    }
    return lines
  }

  /// A DOT string literal: quoted, with quotes, backslashes and line breaks escaped.
  public func quoted(_ text: String) -> String {
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

/// Node statements grouped by the program line they come from (and, for what a function's call
/// made, the line of the call), in order of first appearance (never in a dictionary's order),
/// rendered as nested clusters: one per line, so each layer of the program is one box in the
/// drawing, and each call of a function its own.
struct LineGroups {
  struct Key: Hashable {
    let line: Int
    let call: Int?
  }
  private var loose: [String] = []
  private var groups: [(key: Key, statements: [String])] = []
  private var position: [Key: Int] = [:]

  var isEmpty: Bool { loose.isEmpty && groups.isEmpty }

  mutating func add(_ statement: String, line location: SourceRange?) {
    guard let location else {
      loose.append(statement)
      return
    }
    let key = Key(line: location.start.line, call: location.call?.line)
    if let index = position[key] {
      groups[index].statements.append(statement)
    } else {
      position[key] = groups.count
      groups.append((key, [statement]))
    }
  }

  func render(prefix: String, title: String) -> [String] {
    var lines = loose.map { "    " + $0 }
    for group in groups {
      let (line, call) = (group.key.line, group.key.call)
      let name = "cluster_\(prefix)_line\(line)" + (call.map { "_call\($0)" } ?? "")
      let label = "\(title) \(line)" + (call.map { " (call at line \($0))" } ?? "")
      lines.append("    subgraph \(name) {")
      lines.append(
        "      label=\"\(label)\"; color=\"#bbbbbb\"; style=dotted; fontname=\"monospace\"; fontsize=9;"
      )
      lines += group.statements.map { "      " + $0 }
      lines.append("    }")
    }
    return lines
  }
}
