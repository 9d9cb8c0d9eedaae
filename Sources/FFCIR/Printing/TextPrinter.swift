import FFCDiagnostics

/// The graph as text, one node per line in SSA form:
///
///     %h1: [2] = relu %0                                 # line 6
///
/// Declarations first, then the forward nodes, then the nodes Differentiate added (each tagged with
/// the program line whose derivative it is), then the roots: outputs, loss and `grad W = %...`.
public struct TextPrinter {
  public var source: SourceFile?
  public var showGradientSection = true

  public init(source: SourceFile? = nil) { self.source = source }

  public func print(_ graph: Graph) -> String {
    let names = PrintNames(graph)
    var lines = ["graph \(graph.name) {"]
    let declared = Set(graph.declarations.map(\.node))
    for declaration in graph.declarations {
      lines.append(declarationText(declaration, graph, names))
    }
    var inGradient = false
    // Each line's excerpt is made once: a long line (a derivative clause of thousands of terms)
    // tags thousands of gradient nodes, and cutting it anew for each was quadratic.
    var excerpts: [Int: String] = [:]
    for (index, node) in graph.nodes.enumerated() {
      let id = NodeID(index)
      if declared.contains(id) || graph.isInlineConstant(id) { continue }
      if node.isGradient && !inGradient && showGradientSection {
        inGradient = true
        lines.append("")
        lines.append("  # gradient: added by Differentiate")
      }
      let text = "  %\(names[id]): \(node.shape) = \(graph.operationText(node, names))"
      lines.append(withComment(text, comment(for: node, excerpts: &excerpts)))
    }
    lines.append("")
    for output in graph.outputs {
      lines.append("  output \(output.name) = \(graph.operandText(output.node, names))")
    }
    if let loss = graph.loss {
      lines.append("  loss \(loss.name) = \(graph.operandText(loss.node, names))")
    }
    for gradient in graph.gradients {
      lines.append(
        "  grad \(graph.parameter(of: gradient).name) = \(graph.operandText(gradient.node, names))")
    }
    lines.append("}")
    return lines.joined(separator: "\n") + "\n"
  }

  private func declarationText(_ d: Declaration, _ graph: Graph, _ names: PrintNames) -> String {
    let keyword = d.kind.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)
    var text = "  \(keyword) %\(d.name): \(d.shape)"
    // A large starting value (a loaded or saved weight matrix) is summarised, as a folded
    // constant is: printing millions of numbers would bury the graph.
    if case .literal(let value)? = d.initializer, value.count > 4096 {
      text += " = \(TensorFormat.summary(value))"
    } else if let initializer = d.initializer {
      text += " = \(initializer)"
    }
    if let value = d.defaultValue { text += " = \(TensorFormat.literal(value))" }
    if d.kind == .const, let value = graph[d.node].constantValue {
      text += " = \(TensorFormat.summary(value))"
    }
    return withComment(text, d.location?.lineTag)
  }

  private func comment(for node: Node, excerpts: inout [Int: String]) -> String? {
    guard let location = node.location else { return nil }
    let line = location.start.line
    guard node.isGradient else { return location.lineTag }
    let text: String
    if let known = excerpts[line] {
      text = known
    } else {
      text = source.map { ": " + $0.lineText(line).trimmingSpaces().truncated(to: 48) } ?? ""
      excerpts[line] = text
    }
    return "via \(location.lineTag)\(text)"
  }

  private func withComment(_ text: String, _ comment: String?) -> String {
    guard let comment else { return text }
    let column = 52
    let padding = text.count < column ? String(repeating: " ", count: column - text.count) : "  "
    return text + padding + "# " + comment
  }
}

extension String {
  /// At most `limit` characters, with "..." marking a cut (long one-line programs stay readable).
  func truncated(to limit: Int) -> String {
    count <= limit ? self : String(prefix(limit - 3)) + "..."
  }

  func trimmingSpaces() -> String {
    var scalars = Substring(self)
    while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
    while let last = scalars.last, last == " " || last == "\t" || last == "\r" {
      scalars.removeLast()
    }
    if let hash = scalars.firstIndex(of: "#") {
      scalars = scalars[..<hash]
      while let last = scalars.last, last == " " { scalars.removeLast() }
    }
    return String(scalars)
  }
}
