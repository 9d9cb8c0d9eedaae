import FFCTensor

extension Op {
  /// numpy `@` on vectors and matrices, with transpose flags so that backpropagation's
  /// dW = Aᵀ·dZ and dA = dZ·Wᵀ need no transpose node. Attributes: transpose_a, transpose_b.
  public static let matmul: Op = Op(
    name: "matmul", arity: 2, traits: .bilinear,
    inferShape: { shapes, attributes in
      let (ta, tb) = (attributes.bool("transpose_a"), attributes.bool("transpose_b"))
      // Two matrices whose inner dimensions agree (nearly every product): the result's two
      // dimensions, without making the transposed shapes.
      if shapes[0].rank == 2, shapes[1].rank == 2 {
        let (x, y) = (shapes[0].dims, shapes[1].dims)
        if x[ta ? 0 : 1] == y[tb ? 1 : 0] { return Shape([x[ta ? 1 : 0], y[tb ? 0 : 1]]) }
      }
      let a = effectiveShape(shapes[0], ta)
      let b = effectiveShape(shapes[1], tb)
      guard a.rank >= 1, a.rank <= 2, b.rank >= 1, b.rank <= 2 else {
        let hint =
          a.rank > 2 || b.rank > 2
          ? "a batched product of rank 3 or more is not supported; reshape to a matrix first"
          : "use '*' to scale"
        throw ShapeError("cannot multiply \(a) by \(b): '@' needs vectors or matrices (\(hint))")
      }
      guard a.dims.last == b.dims.first else {
        throw ShapeError("cannot multiply \(a) by \(b): inner dimensions differ")
      }
      return Shape(Array(a.dims.dropLast()) + Array(b.dims.dropFirst()))
    },
    evaluate: { inputs, attributes, _ in
      Kernels.matmul(
        inputs[0], inputs[1], transposeA: attributes.bool("transpose_a"),
        transposeB: attributes.bool("transpose_b"))
    },
    vjp: { c in
      let (a, b, g) = (c.inputs[0], c.inputs[1], c.g)
      let (ta, tb) = (c.attributes.bool("transpose_a"), c.attributes.bool("transpose_b"))
      switch (a.rank, b.rank) {
      case (2, 2):
        return [
          ta ? b.matmul(g, transposeA: tb, transposeB: true) : g.matmul(b, transposeB: !tb),
          tb ? g.matmul(a, transposeA: true, transposeB: ta) : a.matmul(g, transposeA: !ta),
        ]
      case (2, 1):
        return [ta ? b.outer(g) : g.outer(b), a.matmul(g, transposeA: !ta)]
      case (1, 2):
        return [b.matmul(g, transposeA: tb), tb ? g.outer(a) : a.outer(g)]
      default:
        return [g * b, g * a]
      }
    },
    jvp: bilinearJVP,
    rewrites: [
      RewriteRule(
        "matmul(transpose(a), b) -> matmul[transpose_a](a, b)",
        example:
          "param W[2, 3] = [[1, 2, 3], [4, 5, 6]]\ninput x[2] = [1, 2]\nloss L = sum(W.T @ x)\n"
      ) { r in
        let (a, b) = (r.inputs[0], r.inputs[1])
        guard a.op === Op.transpose, a.rank == 2 else { return nil }
        return r.builder.value(a.node.inputs[0]).matmul(
          b, transposeA: !r.attributes.bool("transpose_a"),
          transposeB: r.attributes.bool("transpose_b"))
      },
      RewriteRule(
        "matmul(a, transpose(b)) -> matmul[transpose_b](a, b)",
        example: "param W[2, 3] = [[1, 2, 3], [4, 5, 6]]\ninput X[4, 3]\nloss L = sum(X @ W.T)\n"
      ) { r in
        let (a, b) = (r.inputs[0], r.inputs[1])
        guard b.op === Op.transpose, b.rank == 2 else { return nil }
        return a.matmul(
          r.builder.value(b.node.inputs[0]), transposeA: r.attributes.bool("transpose_a"),
          transposeB: !r.attributes.bool("transpose_b"))
      },
    ],
    call: CallSignature(["matmul"], tensors: 2),
    samples: [
      OpSample([[2, 3], [3, 4]]),
      OpSample([[3, 2], [3, 4]], Attributes([("transpose_a", .bool(true))])),
      OpSample([[2, 3], [4, 3]], Attributes([("transpose_b", .bool(true))])),
      OpSample(
        [[3, 2], [4, 3]], Attributes([("transpose_a", .bool(true)), ("transpose_b", .bool(true))])),
      OpSample([[2, 3], [3]]),
      OpSample([[3, 2], [3]], Attributes([("transpose_a", .bool(true))])),
      OpSample([[3], [3, 4]]),
      OpSample([[3], [4, 3]], Attributes([("transpose_b", .bool(true))])),
      OpSample([[3], [3]]),
    ],
    operandMarks: ["transpose_a": (0, ".T"), "transpose_b": (1, ".T")],
    range: { r, shapes, attributes in
      // Σ over the inner dimension of products of an element of each.
      let a = shapes[0]
      let inner = a.rank == 1 ? a[0] : a[attributes.bool("transpose_a") ? 0 : 1]
      return (r[0] * r[1]).summed(count: inner.value)
    },
    fanIn: matmulFanIn,
    flops: { inputs, _, attributes in
      Compute.MatMulLayout(
        a: inputs[0], b: inputs[1], transposeA: attributes.bool("transpose_a"),
        transposeB: attributes.bool("transpose_b")
      ).flops
    },
    infix: InfixSpelling(["@"], precedence: 2))

  /// `a ⊗ b` for vectors: `[m] ⊗ [n] -> [m, n]`, the weight gradient of `W @ x`.
  public static let outer: Op = Op(
    name: "outer", arity: 2, traits: .bilinear,
    inferShape: { shapes, _ in
      guard shapes[0].rank == 1, shapes[1].rank == 1 else {
        throw ShapeError("'outer' needs two vectors, got \(shapes[0]) and \(shapes[1])")
      }
      return Shape([shapes[0][0], shapes[1][0]])
    },
    evaluate: { inputs, _, _ in Kernels.outer(inputs[0], inputs[1]) },
    vjp: { c in [c.g.matmul(c.inputs[1]), c.g.matmul(c.inputs[0], transposeA: true)] },
    jvp: bilinearJVP,
    call: CallSignature(["outer"], tensors: 2),
    samples: [OpSample([[2], [3]])],
    range: { r, _, _ in r[0] * r[1] })

  static let matmulOps: [Op] = [matmul, outer]

  /// a's columns and b's rows meet the data; an operand transposed, by its flag or by a transpose
  /// node, meets it along its other axis.
  static let matmulFanIn: FanInRule = { node, graph in
    node.inputs.enumerated().map { position, operand in
      var input = operand
      var transposed = node.attributes.bool(position == 0 ? "transpose_a" : "transpose_b")
      if graph[input].op === Op.transpose {
        input = graph[input].inputs[0]
        transposed.toggle()
      }
      return (input, axis: (position == 0) != transposed ? 1 : 0)
    }
  }

  private static func effectiveShape(_ shape: Shape, _ transposed: Bool) -> Shape {
    transposed && shape.rank == 2 ? Shape([shape[1], shape[0]]) : shape
  }
}
