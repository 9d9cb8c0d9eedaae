/// What the layered layout draws: boxes of given sizes and the directed edges between them, by
/// index. The layout reads nothing else, so it serves any graph the views draw (the forward graph,
/// the gradient graph, a graph of collapsed layers).
public struct LayoutGraph: Sendable {
  public var sizes: [LayoutSize]
  public var edges: [LayoutEdge]
  /// Sources that stay in the top layer instead of moving down beside their users: the points
  /// where edges from outside enter a drawing, so their lanes run through it from the top.
  public var pinnedToTop: [Bool]

  public init(sizes: [LayoutSize], edges: [LayoutEdge], pinnedToTop: [Bool] = []) {
    self.sizes = sizes
    self.edges = edges
    self.pinnedToTop = pinnedToTop
  }

  public var nodeCount: Int { sizes.count }
}

public struct LayoutSize: Sendable, Equatable {
  public var width: Double
  public var height: Double
  public init(width: Double, height: Double) {
    self.width = width
    self.height = height
  }
}

public struct LayoutEdge: Sendable, Equatable {
  public var from: Int
  public var to: Int
  public init(_ from: Int, _ to: Int) {
    self.from = from
    self.to = to
  }
}

public struct LayoutPoint: Sendable, Equatable {
  public var x: Double
  public var y: Double
  public init(x: Double, y: Double) {
    self.x = x
    self.y = y
  }
}

/// Gaps the layout keeps between boxes in a layer, between layers, and around the drawing.
public struct LayoutSpacing: Sendable {
  public var nodeGap: Double
  public var layerGap: Double
  /// The width a long edge takes where it passes through a layer.
  public var edgeGap: Double
  public var margin: Double

  public init(nodeGap: Double = 16, layerGap: Double = 36, edgeGap: Double = 8, margin: Double = 8)
  {
    self.nodeGap = nodeGap
    self.layerGap = layerGap
    self.edgeGap = edgeGap
    self.margin = margin
  }
}

/// Where the layout put everything: each node's centre and layer, each edge's route (in the order
/// of `LayoutGraph.edges`, from its source's bottom to its target's top through the layers it
/// crosses), and the drawing's size. All coordinates are at least 0; y grows down the layers.
public struct Layout: Sendable {
  public var centres: [LayoutPoint]
  public var sizes: [LayoutSize]
  public var layers: [Int]
  public var routes: [[LayoutPoint]]
  public var width: Double
  public var height: Double
  /// How many edge crossings between adjacent layers the chosen order has (dummy segments
  /// included).
  public var crossings: Int
}
