import FFCTensor

extension Op {
  /// Σ over `axes` (all by default); `keepdims` keeps them as unit axes.
  public static let sum: Op = reduction(
    "sum", Kernels.sum, .sum, traits: .linear, jvp: linearJVP,
    vjp: { c in
      let axes = c.attributes.ints("axes")
      let g = c.g.restoringAxes(
        axes, keptDims: c.attributes.bool("keepdims"), inputShape: c.x.shape)
      return [g.broadcast(to: c.x.shape)]
    },
    rewrites: [
      RewriteRule("sum over no axes -> x", example: "param s = 2\nloss L = sum(s * s)\n") { r in
        r.attributes.ints("axes").isEmpty ? r.x : nil
      },
      // Σ(s·x) = s·Σx for a scalar s: the scale moves past the reduction (one multiply, not n).
      RewriteRule(
        "sum(s*x) -> s*sum(x)",
        example: "param x[3] = [1, 2, 3]\nparam s = 2\nloss L = sum(tanh(s) * x)\n"
      ) { r in
        guard r.x.op === Op.mul, r.isOnlyUse(0) else { return nil }
        let (a, b) = (r.builder.value(r.x.node.inputs[0]), r.builder.value(r.x.node.inputs[1]))
        let (scale, rest) = a.rank == 0 ? (a, b) : (b, a)
        guard scale.rank == 0, rest.rank > 0 else { return nil }
        // Only for a scale known finite: Σ(∞·[1, -2]) is ∞ − ∞ = NaN, but ∞·Σ[1, -2] is −∞, and
        // Σ(−∞·[1, 0]) is NaN but −∞·Σ[1, 0] is −∞; a scale computed at run time may be ±∞.
        guard scale.isKnownFinite else { return nil }
        return scale * rest.apply(Op.sum, r.attributes)
      },
      // Σ over a broadcast scalar is the scalar times the count of elements summed. (Over a fixed
      // shape and a constant, folding gets there first: the example's batch is symbolic.)
      RewriteRule(
        "sum(broadcast_to(s)) -> s*size", example: "param s = 2\ninput x[N]\nloss L = sum(s + x)\n"
      ) { r in
        guard r.x.op === Op.broadcastTo, r.builder.value(r.x.node.inputs[0]).rank == 0,
          r.node.shape.rank == 0
        else { return nil }
        return r.builder.value(r.x.node.inputs[0]) * r.x.size()
      },
    ])

  /// The mean over `axes`; its derivative divides by the number of elements averaged, a `size`
  /// node that is a constant for fixed shapes and symbolic (`N`) for a batch dimension.
  public static let mean: Op = reduction(
    "mean",
    { x, axes, keepDims in
      let count = Double(Kernels.reducedCount(x.shape, axes: axes))
      return Kernels.sum(x, axes: axes, keepDims: keepDims).map { $0 / count }
    }, .mean, traits: .linear, jvp: linearJVP,
    vjp: { c in
      let axes = c.attributes.ints("axes")
      let g = c.g.restoringAxes(
        axes, keptDims: c.attributes.bool("keepdims"), inputShape: c.x.shape)
      return [(g / c.x.size(axes: axes)).broadcast(to: c.x.shape)]
    })

  /// The maximum over `axes`. Its derivative goes to the elements equal to the maximum, shared
  /// equally between ties.
  public static let max: Op = reduction(
    "max", Kernels.max, .max,
    jvp: { c in
      // The tangent of the maximum: the tangents of the elements equal to it, averaged over ties.
      guard let t = c.tangents[0] else { return nil }
      let axes = c.attributes.ints("axes")
      let kept = c.attributes.bool("keepdims")
      let y = c.y.restoringAxes(axes, keptDims: kept, inputShape: c.x.shape).broadcast(
        to: c.x.shape)
      let mask = c.builder.apply(Op.equal, [c.x, y])
      let ties = mask.sum(axes: axes, keepDims: kept)
      return (t * mask).sum(axes: axes, keepDims: kept) / ties
    },
    vjp: { c in
      let axes = c.attributes.ints("axes")
      let kept = c.attributes.bool("keepdims")
      let y = c.y.restoringAxes(axes, keptDims: kept, inputShape: c.x.shape).broadcast(
        to: c.x.shape)
      let mask = c.builder.apply(Op.equal, [c.x, y])
      let ties = mask.sum(axes: axes, keepDims: true).broadcast(to: c.x.shape)
      let g = c.g.restoringAxes(axes, keptDims: kept, inputShape: c.x.shape).broadcast(
        to: c.x.shape)
      return [g * mask / ties]
    })

  /// The number of elements of the input along `axes`, as a scalar. Depends only on the shape.
  public static let size: Op = Op(
    name: "size", arity: 1, traits: [.shapeOnly],
    inferShape: { shapes, attributes in
      for axis in attributes.ints("axes") where !(0..<shapes[0].rank).contains(axis) {
        throw ShapeError("'size' has no axis \(axis) for shape \(shapes[0])")
      }
      return .scalar
    },
    evaluate: { inputs, attributes, _ in
      Tensor(Double(Kernels.reducedCount(inputs[0].shape, axes: attributes.ints("axes"))))
    },
    vjp: { _ in [nil] }, jvp: { _ in nil },
    samples: [OpSample([[2, 3]], Attributes([("axes", .ints([1]))]))],
    range: { _, _, _ in ValueRange(1, .infinity) })

  static let reduceOps: [Op] = [sum, mean, max, size]

  private static func reduction(
    _ name: String, _ kernel: @escaping @Sendable (Tensor, [Int], Bool) -> Tensor,
    _ kind: ReductionKind, traits: OpTraits = [], jvp: @escaping JVPRule,
    vjp: @escaping VJPRule,
    rewrites: [RewriteRule] = []
  ) -> Op {
    Op(
      name: name, arity: 1, traits: traits,
      inferShape: { shapes, attributes in
        let shape = shapes[0]
        let axes = attributes.ints("axes")
        // Axes of the value, sorted, none twice: each one greater than the one before.
        var previous = -1
        for axis in axes {
          guard axis > previous, axis < shape.rank else {
            throw ShapeError("'\(name)' has no axes \(axes) for a value of shape \(shape)")
          }
          previous = axis
        }
        let keep = attributes.bool("keepdims")
        var dims: [Dim] = []
        dims.reserveCapacity(shape.rank)
        var next = 0  // the next axis reduced, as an index into `axes`
        for (axis, dim) in shape.dims.enumerated() {
          if next < axes.count && axes[next] == axis {
            next += 1
            if keep { dims.append(1) }
          } else {
            dims.append(dim)
          }
        }
        return Shape(dims)
      },
      evaluate: { inputs, attributes, _ in
        kernel(inputs[0], attributes.ints("axes"), attributes.bool("keepdims"))
      },
      vjp: vjp, jvp: jvp, rewrites: rewrites,
      call: CallSignature(
        [name], tensors: 1, options: [CallOption("axis"), CallOption("keepdims")]
      ) {
        options, shapes in
        let shape = shapes[0]
        var attributes = Attributes()
        if let axis = options["axis"] {
          attributes["axes"] = .ints([try CallSignature.axis(axis, of: shape, op: name)])
        } else {
          attributes["axes"] = .ints(Array(0..<shape.rank))
        }
        if let keep = options["keepdims"], keep != 0 { attributes["keepdims"] = .bool(true) }
        return attributes
      },
      samples: [
        OpSample([[2, 3]], Attributes([("axes", .ints([0, 1]))])),
        OpSample([[2, 3]], Attributes([("axes", .ints([1]))])),
        OpSample([[2, 3]], Attributes([("axes", .ints([0])), ("keepdims", .bool(true))])),
        OpSample([[4]], Attributes([("axes", .ints([0]))])),
        OpSample([[2, 3, 2]], Attributes([("axes", .ints([1]))])),
        OpSample([[2, 2, 3]], Attributes([("axes", .ints([0, 2])), ("keepdims", .bool(true))])),
      ],
      range: { r, shapes, attributes in
        switch kind {
        case .sum: r[0].summed(count: reducedCount(shapes[0], attributes.ints("axes")))
        // A mean or a maximum of elements in a range lies in it (a mean of values of one sign
        // that are never 0 is never 0).
        case .mean:
          ValueRange(r[0].lower, r[0].upper, excludesZero: r[0].summed(count: nil).excludesZero)
        case .max: r[0]
        }
      })
  }

  /// The number of elements reduced over `axes`, when every one of them is known at compile time.
  static func reducedCount(_ shape: Shape, _ axes: [Int]) -> Int? {
    var count = 1
    for axis in axes {
      guard let size = shape[axis].value else { return nil }
      let (product, overflow) = count.multipliedReportingOverflow(by: size)
      guard !overflow else { return nil }  // more than Int.max elements: as good as unknown
      count = product
    }
    return count
  }
}

enum ReductionKind: Sendable { case sum, mean, max }
