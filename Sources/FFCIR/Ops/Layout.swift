import FFCTensor

extension Op {
  /// numpy broadcasting made explicit. Attribute: the target shape. Its derivative sums the
  /// cotangent back over the broadcast axes: the un-broadcast lives here, not in Differentiate.
  public static let broadcastTo: Op = Op(
    name: "broadcast_to", arity: 1, traits: .linear,
    inferShape: { shapes, attributes in
      let target = attributes.shape("shape")
      guard Shape.broadcast(shapes[0], target) == target else {
        throw ShapeError("'broadcast_to' cannot broadcast \(shapes[0]) to \(target)")
      }
      return target
    },
    evaluate: { inputs, _, shape in Kernels.broadcast(inputs[0], to: shape) },
    vjp: { c in [c.g.unbroadcast(to: c.x.shape)] }, jvp: linearJVP,
    rewrites: [
      // A single value spread through reshapes and broadcasts (the mean's gradient 1/N becomes
      // [N], [N, 1], then [N, 2]) is one scalar broadcast once.
      RewriteRule(
        "broadcast_to(single value) -> broadcast_to(scalar)",
        example: "input X[N, 2]\nparam w[2] = [1, 2]\nloss L = mean(sum((X * w)^2, axis=1))\n"
      ) { r in
        guard r.x.rank > 0 else { return nil }  // already a scalar broadcast
        var origin = r.x
        var steps = 0
        while origin.op === Op.reshape || origin.op === Op.broadcastTo {
          origin = r.builder.value(origin.node.inputs[0])
          steps += 1
        }
        guard origin.shape.dims.allSatisfy({ $0 == 1 }), steps > 0 || origin.rank > 0 else {
          return nil
        }
        return origin.reshape(to: .scalar).broadcast(to: r.node.shape)
      }
    ],
    samples: [
      OpSample([[3]], Attributes([("shape", .shape([2, 3]))])),
      OpSample([[2, 1]], Attributes([("shape", .shape([2, 3]))])),
      OpSample([[]], Attributes([("shape", .shape([2]))])),
    ],
    range: { r, _, _ in r[0] })

  /// The transpose of a matrix (`transpose(W)` or `W.T`); vectors and scalars are unchanged.
  public static let transpose: Op = Op(
    name: "transpose", arity: 1, traits: .linear,
    inferShape: { shapes, _ in
      let s = shapes[0]
      guard s.rank <= 2 else {
        throw ShapeError("'transpose' needs a vector or a matrix, got \(s)")
      }
      return s.rank == 2 ? Shape([s[1], s[0]]) : s
    },
    evaluate: { inputs, _, _ in Kernels.transpose(inputs[0]) },
    vjp: { c in [c.g.transposed()] }, jvp: linearJVP,
    rewrites: [
      RewriteRule(
        "transpose(transpose(x)) -> x",
        example:
          "param W[2, 3] = [[1, 2, 3], [4, 5, 6]]\nloss L = sum(transpose(transpose(W)) * W)\n"
      ) { r in
        r.x.op === Op.transpose ? r.builder.value(r.x.node.inputs[0]) : nil
      },
      // (a ⊗ b)ᵀ = b ⊗ a: the weight gradient of x @ W written as Wᵀ's transpose.
      RewriteRule(
        "transpose(outer(a, b)) -> outer(b, a)",
        example:
          "param W[3, 2] = [[1, 2], [3, 4], [5, 6]]\ninput x[3] = [1, 2, 3]\nloss L = sum(W.T @ x)\n"
      ) { r in
        guard r.x.op === Op.outer, r.isOnlyUse(0) else { return nil }
        let operands = r.operands(of: r.x)
        return operands[1].outer(operands[0])
      },
      // (A'·B')ᵀ = B'ᵀ·A'ᵀ, the flags swapped and negated: the weight gradient of X @ W.T (an
      // imported Gemm) is then one product of W's shape, with no transpose copy.
      RewriteRule(
        "transpose(matmul(a, b)) -> matmul(b, a)",
        example:
          "param W[3, 2] = [[1, 2], [3, 4], [5, 6]]\ninput X[4, 2]\ninput t[4, 3]\n"
          + "y = X @ W.T\nloss L = sum((y - t) * (y - t))\n"
      ) { r in
        guard r.x.op === Op.matmul, r.isOnlyUse(0) else { return nil }
        let operands = r.operands(of: r.x)
        guard operands[0].rank == 2, operands[1].rank == 2 else { return nil }
        let attributes = r.x.node.attributes
        return operands[1].matmul(
          operands[0], transposeA: !attributes.bool("transpose_b"),
          transposeB: !attributes.bool("transpose_a"))
      },
      RewriteRule(
        "transpose(v) -> v",
        example: "param v[2] = [1, 2]\nloss L = sum(v.T * v)\n"
      ) { r in r.x.rank < 2 ? r.x : nil },
    ],
    call: CallSignature(["transpose"], tensors: 1),
    samples: [OpSample([[2, 3]])],
    range: { r, _, _ in r[0] })

  /// `x[i]`, `x[i, j]`: the sub-value at fixed leading indices. Attribute: indices.
  public static let index: Op = Op(
    name: "index", arity: 1,
    inferShape: { shapes, attributes in
      let (s, indices) = (shapes[0], attributes.ints("indices"))
      guard indices.count <= s.rank else {
        throw ShapeError("cannot index a value of shape \(s) with \(indices.count) indices")
      }
      for (axis, i) in indices.enumerated() {
        guard let size = s[axis].value else {
          throw ShapeError(
            "cannot index axis \(axis) of shape \(s): its size is only known at run time")
        }
        guard (0..<size).contains(i) else {
          throw ShapeError("index \(i) is out of range for axis \(axis) of shape \(s)")
        }
      }
      return Shape(Array(s.dims.dropFirst(indices.count)))
    },
    evaluate: { inputs, attributes, _ in Kernels.index(inputs[0], attributes.ints("indices")) },
    vjp: { c in
      let attributes = Attributes([
        ("indices", c.attributes["indices"] ?? .ints([])), ("shape", .shape(c.x.shape)),
      ])
      return [c.g.apply(Op.embed, attributes)]
    },
    jvp: linearJVP,
    samples: [
      OpSample([[3]], Attributes([("indices", .ints([1]))])),
      OpSample([[2, 3]], Attributes([("indices", .ints([1, 2]))])),
    ],
    range: { r, _, _ in r[0] })

  /// The adjoint of `index`: zeros of `shape` with the input placed at `indices`.
  public static let embed: Op = Op(
    name: "embed", arity: 1,
    inferShape: { shapes, attributes in
      let (target, indices) = (attributes.shape("shape"), attributes.ints("indices"))
      guard indices.count <= target.rank,
        Shape(Array(target.dims.dropFirst(indices.count))) == shapes[0]
      else {
        throw ShapeError("'embed' cannot place \(shapes[0]) at \(indices) in \(target)")
      }
      return target
    },
    evaluate: { inputs, attributes, shape in
      Kernels.embed(inputs[0], at: attributes.ints("indices"), in: shape)
    },
    vjp: { c in
      [c.g.apply(Op.index, Attributes([("indices", c.attributes["indices"] ?? .ints([]))]))]
    },
    jvp: linearJVP,
    samples: [OpSample([[]], Attributes([("indices", .ints([1])), ("shape", .shape([3]))]))],
    range: { r, _, _ in ValueRange(Swift.min(r[0].lower, 0), Swift.max(r[0].upper, 0)) })

  static let layoutOps: [Op] = [broadcastTo, reshape, transpose, index, embed]
}
