extension Op {
  /// x · x is a square, never negative: the two factors are one value, not two independent ones.
  static let productOfAValueWithItself: RelatedRangeRule = { node, graph, ranges in
    guard node.inputs[0] == node.inputs[1], let square = Op.square.range else { return nil }
    let x = node.inputs[0]
    return square([ranges[x.index]], [graph[x].shape], node.attributes)
  }

  /// z − max(z) is at most 0 whatever z is.
  static let shiftByTheMaximum: RelatedRangeRule = { node, graph, _ in
    graph.isShiftedByItsMaximum(node) ? ValueRange(-.infinity, 0) : nil
  }
}

extension Graph {
  /// Whether a subtraction is `z − max(z)` (the maximum broadcast or reshaped back): at most 0
  /// whatever z is, which is why exp(z − max(z)), the stable softmax written by hand, cannot
  /// overflow. A fact about two operands together, so `sub`'s range rule cannot see it. Only where each maximum lands on the elements
  /// it was taken over: z − max(z, axis=1) on a square z broadcasts row maxima along columns, and
  /// is not bounded.
  func isShiftedByItsMaximum(_ node: Node) -> Bool {
    var chain: [Node] = []
    var shift = self[node.inputs[1]]
    while shift.op === Op.broadcastTo || shift.op === Op.reshape {
      chain.append(shift)
      shift = self[shift.inputs[0]]
    }
    guard shift.op === Op.max, shift.inputs[0] == node.inputs[0] else { return false }
    var axes = Self.varyingAxes(ofMaximum: shift, of: self[shift.inputs[0]].shape)
    for step in chain.reversed() {
      axes = Self.varyingAxes(
        axes, from: self[step.inputs[0]].shape, to: step.shape,
        broadcast: step.op === Op.broadcastTo)
    }
    // Every axis along which the maximum varies is the axis of z it was kept from.
    guard axes.count == node.shape.rank || axes.isEmpty else { return false }
    return axes.enumerated().allSatisfy { position, axis in axis == nil || axis == position }
  }

  /// For each axis of max(z): the axis of z it runs along, nil for a reduced or unit axis.
  static func varyingAxes(ofMaximum node: Node, of shape: Shape) -> [Int?] {
    let (reduced, keep) = (node.attributes.ints("axes"), node.attributes.bool("keepdims"))
    return shape.dims.indices.flatMap { axis -> [Int?] in
      if reduced.contains(axis) { return keep ? [nil] : [] }
      return [shape.dims[axis].value == 1 ? nil : axis]
    }
  }

  /// The same through a reshape (unit axes added or removed, the others in order) or a
  /// broadcast (aligned at the right; a stretched unit axis and a new axis do not vary).
  static func varyingAxes(_ axes: [Int?], from input: Shape, to output: Shape, broadcast: Bool)
    -> [Int?]
  {
    if broadcast {
      let offset = output.rank - input.rank
      return output.dims.indices.map { p in
        p < offset || input.dims[p - offset].value == 1 ? nil : axes[p - offset]
      }
    }
    var kept = input.dims.indices.filter { input.dims[$0].value != 1 }.map { axes[$0] }
      .makeIterator()
    return output.dims.map { $0.value == 1 ? nil : (kept.next() ?? nil) }
  }
}
