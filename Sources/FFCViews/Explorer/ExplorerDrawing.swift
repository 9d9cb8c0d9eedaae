import FFCIR

/// One of the page's two drawings (the forward graph, or the gradient graph with the forward
/// values it reads drawn again as references): boxes grouped by the program line they come from,
/// each group laid out on its own and the groups laid out as a graph of their own, so the page can
/// collapse a group to one box and expand it again by moving whole groups, without a new layout.
struct ExplorerDrawing {
  struct Item {
    var node: Int
    var group: Int
    /// A forward value drawn in the gradient graph, where a gradient node reads it.
    var isReference: Bool
  }

  struct Group {
    var label: String
    var line: Int?
    /// A lone leaf no line reads: drawn without a frame, never collapsed.
    var isSolo: Bool
    var items: [Int] = []
    var inner: Layout? = nil
    var innerEdges: [(from: Int, to: Int)] = []
    /// How many entry points (one per item outside that feeds the group) follow the items in
    /// the inner layout.
    var entries = 0
  }

  var items: [Item] = []
  var groups: [Group] = []
  /// Edges between items of different groups, each with its route inside the target group (from
  /// the group's entry point for its source, relative to the inner layout); and the groups' own
  /// layout.
  var crossEdges: [(from: Int, to: Int)] = []
  var crossRoutes: [[LayoutPoint]] = []
  var groupLayout: Layout? = nil
  var collapsedByDefault = false

  static let collapseAbove = 150
  static let header = 16.0
  static let collapsedHeight = 28.0

  /// The forward drawing: every node Differentiate did not add (a leaf that several lines read
  /// drawn in each, as a reference).
  static func forward(_ graph: Graph, _ facts: [NodeFacts], _ source: [String]) -> ExplorerDrawing {
    var builder = DrawingBuilder(graph: graph, source: source)
    let nodes = graph.nodes.indices.filter { !graph.nodes[$0].isGradient }
    builder.place(nodes, references: false)
    return builder.finish(facts)
  }

  /// The gradient drawing: the nodes Differentiate added, each forward value they read drawn once
  /// in each group that reads it.
  static func gradient(_ graph: Graph, _ facts: [NodeFacts], _ source: [String]) -> ExplorerDrawing
  {
    var builder = DrawingBuilder(graph: graph, source: source)
    let nodes = graph.nodes.indices.filter { graph.nodes[$0].isGradient }
    builder.place(nodes, references: true)
    return builder.finish(facts)
  }
}

/// Puts nodes into groups by line and links them; a leaf joins the one group that reads it, or is
/// drawn again in each group when several do.
struct DrawingBuilder {
  let graph: Graph
  let source: [String]
  var drawing = ExplorerDrawing()
  private var groupOfKey: [String: Int] = [:]
  private var itemOfNode: [Int: Int] = [:]
  private var referenceItem: [String: Int] = [:]

  init(graph: Graph, source: [String]) {
    self.graph = graph
    self.source = source
  }

  mutating func place(_ nodes: [Int], references: Bool) {
    var included = [Bool](repeating: false, count: graph.nodes.count)
    for node in nodes { included[node] = true }
    var users = [[Int]](repeating: [], count: graph.nodes.count)
    for node in nodes {
      for input in graph.nodes[node].inputs where included[input.index] {
        users[input.index].append(node)
      }
    }
    for node in nodes where !isLoose(node) { item(node, group: lineGroup(node)) }
    var shared = [Bool](repeating: false, count: graph.nodes.count)
    for node in nodes where isLoose(node) {
      let groups = users[node].filter { !isLoose($0) }.compactMap { itemOfNode[$0] }.map {
        drawing.items[$0].group
      }
      if let first = groups.first, groups.allSatisfy({ $0 == first }) {
        item(node, group: first)
      } else if groups.isEmpty {
        item(node, group: soloGroup(node))
      } else {
        // Read by several lines: drawn again in each, as a gradient node's forward inputs are.
        shared[node] = true
      }
    }
    for node in nodes {
      guard let user = itemOfNode[node] else { continue }
      for input in graph.nodes[node].inputs {
        if let from = itemOfNode[input.index] {
          link(from, user)
        } else if references || shared[input.index] {
          link(reference(input.index, group: drawing.items[user].group), user)
        }
      }
    }
  }

  private func isLoose(_ node: Int) -> Bool {
    graph.nodes[node].op.isLeaf || graph.nodes[node].location == nil
  }

  private mutating func item(_ node: Int, group: Int) {
    itemOfNode[node] = drawing.items.count
    drawing.groups[group].items.append(drawing.items.count)
    drawing.items.append(.init(node: node, group: group, isReference: false))
  }

  private mutating func reference(_ node: Int, group: Int) -> Int {
    let key = "\(node)@\(group)"
    if let existing = referenceItem[key] { return existing }
    let index = drawing.items.count
    referenceItem[key] = index
    drawing.groups[group].items.append(index)
    drawing.items.append(.init(node: node, group: group, isReference: true))
    return index
  }

  private mutating func link(_ from: Int, _ to: Int) {
    let a = drawing.items[from].group
    if a == drawing.items[to].group {
      drawing.groups[a].innerEdges.append((from, to))
    } else {
      drawing.crossEdges.append((from, to))
    }
  }

  private mutating func lineGroup(_ node: Int) -> Int {
    let line = graph.nodes[node].location!.start.line
    let key = "line \(line)"
    if let group = groupOfKey[key] { return group }
    let text = line <= source.count ? source[line - 1] : ""
    let code = text.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first
    let label = NodeFacts.clipped(
      "line \(line): " + (code.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""), 44)
    return newGroup(key, .init(label: label, line: line, isSolo: false))
  }

  private mutating func soloGroup(_ node: Int) -> Int {
    newGroup("node \(node)", .init(label: "", line: nil, isSolo: true))
  }

  private mutating func newGroup(_ key: String, _ group: ExplorerDrawing.Group) -> Int {
    groupOfKey[key] = drawing.groups.count
    drawing.groups.append(group)
    return drawing.groups.count - 1
  }

  /// Lays out each group, then the groups: at their expanded size, or collapsed when the drawing
  /// is too large to show whole.
  mutating func finish(_ facts: [NodeFacts]) -> ExplorerDrawing {
    drawing.collapsedByDefault = drawing.items.count > ExplorerDrawing.collapseAbove
    var itemIndexInGroup = [Int](repeating: 0, count: drawing.items.count)
    for group in drawing.groups {
      for (position, item) in group.items.enumerated() { itemIndexInGroup[item] = position }
    }
    var sizes: [LayoutSize] = []
    var entryEdges = [[Int]](repeating: [], count: drawing.groups.count)
    for (index, edge) in drawing.crossEdges.enumerated() {
      entryEdges[drawing.items[edge.to].group].append(index)
    }
    drawing.crossRoutes = [[LayoutPoint]](repeating: [], count: drawing.crossEdges.count)
    for index in drawing.groups.indices {
      let group = drawing.groups[index]
      var layoutSizes = group.items.map { facts[drawing.items[$0].node].size }
      var edges = group.innerEdges.map {
        LayoutEdge(itemIndexInGroup[$0.from], itemIndexInGroup[$0.to])
      }
      // One entry point per outside source, in the order its edges come.
      var entryOf: [Int: Int] = [:]
      for crossEdge in entryEdges[index] {
        let source = drawing.crossEdges[crossEdge].from
        if entryOf[source] == nil {
          entryOf[source] = layoutSizes.count
          layoutSizes.append(LayoutSize(width: 0, height: 0))
        }
        edges.append(
          LayoutEdge(entryOf[source]!, itemIndexInGroup[drawing.crossEdges[crossEdge].to]))
      }
      let pinned = layoutSizes.indices.map { $0 >= group.items.count }
      let inner = LayeredLayout.layout(
        LayoutGraph(sizes: layoutSizes, edges: edges, pinnedToTop: pinned))
      for (k, crossEdge) in entryEdges[index].enumerated() {
        drawing.crossRoutes[crossEdge] = inner.routes[group.innerEdges.count + k]
      }
      drawing.groups[index].inner = inner
      drawing.groups[index].entries = layoutSizes.count - group.items.count
      sizes.append(
        ExplorerDrawing.size(of: drawing.groups[index], collapsed: drawing.collapsedByDefault))
    }
    var pairs: [(Int, Int)] = drawing.crossEdges.map {
      (drawing.items[$0.from].group, drawing.items[$0.to].group)
    }
    pairs.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
    var edges: [LayoutEdge] = []
    for pair in pairs where edges.last.map({ ($0.from, $0.to) != pair }) ?? true {
      edges.append(LayoutEdge(pair.0, pair.1))
    }
    drawing.groupLayout = LayeredLayout.layout(
      LayoutGraph(sizes: sizes, edges: edges), spacing: LayoutSpacing(nodeGap: 20, layerGap: 40))
    return drawing
  }
}

extension ExplorerDrawing {
  static func size(of group: Group, collapsed: Bool) -> LayoutSize {
    let inner = group.inner!
    if group.isSolo { return LayoutSize(width: inner.width, height: inner.height) }
    if collapsed {
      let label = Double(group.label.count + 6) * NodeFacts.characterWidth + 16
      return LayoutSize(width: label, height: collapsedHeight)
    }
    return LayoutSize(
      width: max(inner.width, Double(group.label.count + 2) * NodeFacts.characterWidth),
      height: inner.height + header)
  }
}
