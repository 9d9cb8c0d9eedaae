import FFCTensor

extension Op {
  /// numpy's row-major reshape: the same elements in the same order under a new shape. Attribute:
  /// the new shape. A symbolic dimension (the batch `N`) must appear as often on both sides and
  /// the fixed dimensions must multiply to the same count, so the reshape is valid for every N.
  /// In place it costs nothing: the runtime runs it over its operand's buffer.
  public static let reshape: Op = Op(
    name: "reshape", arity: 1, traits: .linear,
    inferShape: { shapes, attributes in
      let target = attributes.shape("shape")
      guard ReshapeRule.compatible(shapes[0], target) else {
        throw ShapeError("'reshape' cannot turn \(shapes[0]) into \(target)")
      }
      return target
    },
    evaluate: { inputs, _, shape in Tensor(shape: shape, scalars: inputs[0].scalars) },
    vjp: { c in [c.g.reshape(to: c.x.shape)] }, jvp: linearJVP,
    rewrites: [
      RewriteRule(
        "reshape(x) to x's shape -> x",
        example: "param x[2, 3] = [[1, 2, 3], [4, 5, 6]]\nloss L = sum(reshape(x, [2, 3]) * x)\n"
      ) { r in r.x.shape == r.node.shape ? r.x : nil },
      RewriteRule(
        "reshape(reshape(x)) -> reshape(x)",
        example:
          "param x[2, 3] = [[1, 2, 3], [4, 5, 6]]\nloss L = sum(reshape(reshape(x, [3, 2]), [6]) * [1, 2, 3, 4, 5, 6])\n"
      ) { r in
        guard r.x.op === Op.reshape else { return nil }
        return r.builder.value(r.x.node.inputs[0]).reshape(to: r.node.shape)
      },
      // Σ with keepdims then reshaped to drop the kept axes is the plain Σ.
      RewriteRule(
        "reshape(sum[keepdims](x)) -> sum(x)",
        example: "param x[3] = [1, 2, 3]\nloss L = max(x, axis=0)\n"
      ) { r in
        guard r.x.op === Op.sum, r.x.node.attributes.bool("keepdims"), r.isOnlyUse(0) else {
          return nil
        }
        let source = r.builder.value(r.x.node.inputs[0])
        let axes = r.x.node.attributes.ints("axes")
        let plain = source.sum(axes: axes)
        return plain.shape == r.node.shape ? plain : nil
      },
      // A one-element value made a scalar: reshape its operands instead, so a computation on
      // [1]-shaped constants (the seed of a mean's gradient) becomes scalar arithmetic.
      RewriteRule(
        "reshape(f(a, b)) to a scalar -> f(reshape(a), reshape(b))",
        example: "input X[N, 2]\nparam w[2] = [1, 2]\nloss L = mean(sum((X * w)^2, axis=1))\n"
      ) { r in
        guard r.node.shape.rank == 0, r.x.op.isElementwise, r.x.op.arity == 2, r.isOnlyUse(0) else {
          return nil
        }
        let operands = r.x.node.inputs.map(r.builder.value)
        guard operands.allSatisfy({ $0.shape.dims.allSatisfy { $0 == 1 } }) else { return nil }
        return r.builder.apply(
          r.x.op, operands.map { $0.reshape(to: .scalar) }, r.x.node.attributes)
      },
    ],
    samples: [
      OpSample([[3]], Attributes([("shape", .shape([3, 1]))])),
      OpSample([[2, 6]], Attributes([("shape", .shape([2, 3, 2]))])),
      OpSample([[2, 3, 2]], Attributes([("shape", .shape([3, 4]))])),
    ],
    range: { r, _, _ in r[0] })
}

/// When a reshape is valid, and what a `-1` in the requested shape stands for.
public enum ReshapeRule {
  /// The same symbols, each as often, and the same product of fixed dimensions.
  public static func compatible(_ from: Shape, _ to: Shape) -> Bool {
    guard let count = fixedCount(from) else { return false }
    return from.symbols.sorted() == to.symbols.sorted() && fixedCount(to) == count
  }

  /// The product of the fixed dimensions; nil on overflow.
  static func fixedCount(_ shape: Shape) -> Int? {
    var count = 1
    for dim in shape.dims {
      guard let n = dim.value else { continue }
      let (product, overflow) = count.multipliedReportingOverflow(by: n)
      if overflow { return nil }
      count = product
    }
    return count
  }

  /// The requested dimensions with one `nil` (a `-1`) inferred as numpy does: the size that
  /// keeps the number of elements. Throws when it is not a whole size, or would be symbolic.
  public static func resolve(_ requested: [Dim?], from: Shape) throws(ShapeError) -> Shape {
    let unknowns = requested.indices.filter { requested[$0] == nil }
    guard unknowns.count <= 1 else {
      throw ShapeError("'reshape' can infer only one dimension (-1), got \(unknowns.count)")
    }
    let known = requested.compactMap { $0 }
    if let stranger = Shape(known).symbols.first(where: { !from.symbols.contains($0) }) {
      throw ShapeError(
        "'reshape' cannot turn \(from) into \(describe(requested)): \(stranger) is not a size of the value"
      )
    }
    guard let position = unknowns.first else { return Shape(known) }
    guard from.symbols.sorted() == Shape(known).symbols.sorted() else {
      throw ShapeError(
        "'reshape' cannot infer the -1 in \(describe(requested)) from a value of shape \(from): it would depend on \(from.symbols.joined(separator: ", ")); write the symbol"
      )
    }
    guard let total = fixedCount(from), let part = fixedCount(Shape(known)), part > 0,
      total % part == 0
    else {
      throw ShapeError(
        "'reshape' cannot infer the -1 in \(describe(requested)) from a value of shape \(from)")
    }
    var dims = known
    dims.insert(.fixed(total / part), at: position)
    return Shape(dims)
  }

  static func describe(_ requested: [Dim?]) -> String {
    "[" + requested.map { $0?.description ?? "-1" }.joined(separator: ", ") + "]"
  }
}
