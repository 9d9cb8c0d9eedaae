import FFCIR
import FFCTensor

/// What the page says about one node: its name and operation, shape, value, the node holding its
/// gradient, and the rewrites made on its line.
struct NodeFacts {
  var name: String
  var title: String
  var operation: String
  var shape: String
  var line: Int?
  var isGradient: Bool
  var kind: String
  var shortValue: String?
  var fullValue: String?
  var gradientNode: Int?
  var rewrites: [Int]
  var inputs: [Int]
  var size: LayoutSize

  static let characterWidth = 6.6
  static let titleLimit = 30
  static let valueLimit = 30
  /// The most elements a box writes out (a few fit in `valueLimit` characters) and the details.
  static let shortLimit = 6
  static let detailsLimit = 64

  static func all(_ input: ExplorerInput) -> [NodeFacts] {
    let graph = input.graph
    let names = PrintNames(graph)
    var declarationKind = [String?](repeating: nil, count: graph.nodes.count)
    for declaration in graph.declarations {
      declarationKind[declaration.node.index] = declaration.kind.rawValue
    }
    var gradientOf = [Int?](repeating: nil, count: graph.nodes.count)
    for adjoint in graph.adjoints where gradientOf[adjoint.of.index] == nil {
      gradientOf[adjoint.of.index] = adjoint.node.index
    }
    // A gradient whose node an in-program `grad` made first has no name of its own: call it
    // `dL/dW1`, as the DOT does.
    var gradientName = [String?](repeating: nil, count: graph.nodes.count)
    let loss = graph.loss?.name ?? "L"
    for gradient in graph.gradients {
      let parameter = graph.parameter(of: gradient)
      gradientOf[parameter.node.index] = gradient.node.index
      gradientName[gradient.node.index] = "d\(loss)/d\(parameter.name)"
    }
    var rewritesByLine: [Int: [Int]] = [:]
    for (index, rewrite) in input.rewrites.enumerated() {
      if let line = rewrite.line { rewritesByLine[line, default: []].append(index) }
    }
    return graph.nodes.enumerated().map { index, node in
      let printed = names[NodeID(index)]
      let name = printed.first?.isNumber == true ? gradientName[index] ?? printed : printed
      let operation = graph.operationText(node, names)
      let kind = declarationKind[index] ?? (node.constantValue != nil ? "const" : "op")
      let value = index < input.values.count ? input.values[index] : nil
      let title: String
      switch kind {
      case "op":
        let op = operation.split(separator: " ").first.map(String.init) ?? node.op.name
        title = name.first?.isNumber == true ? op : "\(name) = \(op)"
      case "const": title = TensorFormat.summary(node.constantValue!, limit: 4)
      default: title = "\(kind) \(name)"
      }
      let shortValue = value.map { ValueSummary($0, writtenOutLimit: shortLimit).inlineText }
      let second = clipped(shortValue ?? node.shape.description, valueLimit)
      let shownTitle = clipped(title, titleLimit)
      let characters = max(shownTitle.count, second.count, 3)
      return NodeFacts(
        name: name, title: shownTitle, operation: operation, shape: node.shape.description,
        line: node.location?.start.line, isGradient: node.isGradient, kind: kind,
        shortValue: shortValue.map { clipped($0, valueLimit) },
        fullValue: value.map { ValueSummary($0, writtenOutLimit: detailsLimit).text },
        gradientNode: gradientOf[index],
        rewrites: node.location.flatMap { rewritesByLine[$0.start.line] } ?? [],
        inputs: node.inputs.map(\.index),
        size: LayoutSize(width: Double(characters) * characterWidth + 14, height: 32))
    }
  }

  static func clipped(_ text: String, _ limit: Int) -> String {
    text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
  }

  var json: String {
    JSONText.object([
      ("n", JSONText.string(name)), ("t", JSONText.string(title)),
      ("op", JSONText.string(operation)), ("s", JSONText.string(shape)),
      ("l", JSONText.number(line)), ("g", isGradient ? "1" : "0"), ("k", JSONText.string(kind)),
      ("v", JSONText.string(shortValue)), ("f", JSONText.string(fullValue)),
      ("d", JSONText.number(gradientNode)),
      ("r", JSONText.array(rewrites.map(String.init))),
      ("i", JSONText.array(inputs.map(String.init))),
      ("w", JSONText.number(size.width)),
    ])
  }
}
