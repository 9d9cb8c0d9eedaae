/// Forward-mode, symbol-to-symbol differentiation: appends to a builder the tangent nodes of the
/// values that depend on one value `W` along a direction `V` of its shape, each built beside its
/// primal node by the op's forward-mode rule (`Op.jvp`). `jvp(y, W, V)` in a program is the
/// tangent of y; `jacobian(y, W)` takes one per element of W when W is the smaller side. The
/// nodes are an ordinary graph: optimised, printed and differentiated again like any other (the
/// tangent of a gradient is a Hessian-vector product, forward over reverse).
public enum ForwardMode {
  /// The tangent of `output` when `wrt` moves along `direction` (nil: zero, `output` does not
  /// depend on `wrt`), built into `builder`, which holds `nodes`. Walks the nodes between `wrt`
  /// and `output` once, in order, with no recursion. A new tangent of a named value is named
  /// `dh/dW·V` (`directionName`, or the direction's own name, stands for V).
  public static func tangent(
    of output: NodeID, wrt: NodeID, along direction: NodeID, directionName: String? = nil,
    nodes: [Node], _ builder: GraphBuilder
  ) throws(ReverseMode.Failure) -> NodeID? {
    guard output.index >= wrt.index else { return nil }
    let relevant = ReverseMode.nodesBetween([wrt], and: output, in: nodes)
    var tangents = [NodeID?](repeating: nil, count: nodes.count)
    tangents[wrt.index] = direction
    let suffix =
      "/d\(nodes[wrt.index].name ?? "W")·\(directionName ?? builder[direction].name ?? "V")"
    for index in (wrt.index + 1)..<(output.index + 1) where relevant[index] {
      let node = nodes[index]
      let incoming = node.inputs.map { tangents[$0.index].map(builder.value) }
      guard !node.op.isLeaf, incoming.contains(where: { $0 != nil }) else { continue }
      // A stated derivative declared exact is the forward expression's own, so the tangent is
      // the forward value's; any other has no forward mode (as `jax.custom_vjp`).
      if let derivative = node.attributes.customDerivative {
        guard derivative.exact else {
          throw .forwardThroughCustomDerivative(
            function: derivative.function, location: node.location)
        }
        tangents[index] = tangents[node.inputs[0].index]
        continue
      }
      guard let jvp = node.op.jvp else {
        throw .notDifferentiable(op: node.op.name, location: node.location)
      }
      builder.takeLocation(of: node)
      let before = builder.count
      let context = JVPContext(
        tangents: incoming, inputs: node.inputs.map(builder.value),
        output: builder.value(NodeID(index)), attributes: node.attributes, op: node.op)
      guard let tangent = jvp(context) else { continue }
      if let failure = tangent.failure {
        throw .illShapedRule(op: node.op.name, message: failure.message)
      }
      tangents[index] = tangent.id
      if let name = node.name, tangent.id.index >= before, builder[tangent.id].name == nil {
        builder.rename(tangent.id, "d\(name)\(suffix)")
      }
    }
    return tangents[output.index]
  }
}

extension JVPContext {
  /// The sum of the tangent terms that are not zero, spread to the output's shape (a term may
  /// be a scalar's); nil when all are zero.
  public func sum(_ terms: Value?...) -> Value? {
    let present = terms.compactMap { $0 }
    guard var total = present.first else { return nil }
    for term in present.dropFirst() { total = total + term }
    return expanded(total)
  }

  /// `value` spread to the output's shape when it is a scalar the op broadcast.
  public func expanded(_ value: Value) -> Value {
    value.shape == output.shape ? value : value.broadcast(to: output.shape)
  }
}

extension Op {
  /// The forward-mode rule of an op linear in its one operand (Σ, transpose, broadcast,
  /// reshape, index): the op applied to the tangent.
  public static let linearJVP: JVPRule = { c in
    c.tangents[0].map { c.builder.apply(c.op, [$0], c.attributes) }
  }

  /// The forward-mode rule of an op linear in each of two operands (matmul, outer): the op of
  /// each tangent with the other operand, summed.
  public static let bilinearJVP: JVPRule = { c in
    c.sum(
      c.tangents[0].map { c.builder.apply(c.op, [$0, c.inputs[1]], c.attributes) },
      c.tangents[1].map { c.builder.apply(c.op, [c.inputs[0], $0], c.attributes) })
  }

  /// The forward-mode rule of an elementwise op of one operand, from its reverse-mode rule: the
  /// Jacobian is diagonal, so its own transpose, and the cotangent rule applied to the tangent
  /// (t · f′(x)) is the tangent. A rule that sends no cotangent (step, sign, stop_gradient)
  /// sends no tangent either.
  public static let elementwiseJVP: JVPRule = { c in
    guard let t = c.tangents[0], let vjp = c.op.vjp else { return nil }
    return vjp(c.reverse(g: t)).first ?? nil
  }

  /// The forward-mode rule of an op with a scalar output (the losses), from its reverse-mode
  /// rule: the tangent is Σ ⟨∂y/∂xᵢ, tᵢ⟩ over the operands, with the gradients the cotangent
  /// rule gives for g = 1.
  public static let scalarOutputJVP: JVPRule = { c in
    guard let vjp = c.op.vjp else { return nil }
    let gradients = vjp(c.reverse(g: c.builder.constant(1)))
    var terms: [Value] = []
    for (position, tangent) in c.tangents.enumerated() {
      guard let tangent, position < gradients.count, let gradient = gradients[position] else {
        continue
      }
      terms.append((gradient * tangent).sum())
    }
    guard var total = terms.first else { return nil }
    for term in terms.dropFirst() { total = total + term }
    return total
  }
}
