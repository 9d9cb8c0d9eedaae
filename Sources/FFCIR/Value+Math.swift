import FFCTensor

// Arithmetic on values with numpy broadcasting: a rank-0 operand combines with any shape directly;
// other shape differences get an explicit `broadcast_to`, so every elementwise node in the IR sees
// equal shapes (or a scalar) and the un-broadcast is simply broadcast_to's derivative.

extension GraphBuilder {
  /// `op(a, b)` for an elementwise binary op, inserting `broadcast_to` where shapes differ.
  public func elementwise(_ op: Op, _ a: NodeID, _ b: NodeID) throws -> NodeID {
    let (sa, sb) = (self[a].shape, self[b].shape)
    if sa == sb || sa.rank == 0 || sb.rank == 0 { return try emit(op, [a, b]) }
    guard let common = Shape.broadcast(sa, sb) else {
      var hint = ""
      if sa.rank == 2, sb.rank == 1, sa[0] == sb[0] {
        hint = "; to add a column to every column, give it shape \(Shape([sb[0], 1]))"
      } else if sb.rank == 2, sa.rank == 1, sb[0] == sa[0] {
        hint = "; to add a column to every column, give it shape \(Shape([sa[0], 1]))"
      }
      throw ShapeError("'\(op.name)' cannot broadcast shapes \(sa) and \(sb)\(hint)")
    }
    let left = sa == common ? a : try broadcast(a, to: common)
    let right = sb == common ? b : try broadcast(b, to: common)
    return try emit(op, [left, right])
  }

  public func broadcast(_ x: NodeID, to shape: Shape) throws -> NodeID {
    if self[x].shape == shape { return x }
    return try emit(Op.broadcastTo, [x], Attributes([("shape", .shape(shape))]))
  }

  /// `elementwise` for the value operators: a failed operand or emission makes a failed value.
  func binary(_ op: Op, _ a: Value, _ b: Value) -> Value {
    // Tested one by one, not through an array made per emission.
    if a.isFailed { return a }
    if b.isFailed { return b }
    if buildsCotangents, a.op === Op.select || b.op === Op.select,
      a.shape == b.shape || a.rank == 0 || b.rank == 0,
      let selected = Op.selectedForm(op, [a, b], self)
    {
      return selected
    }
    do {
      return value(try elementwise(op, a.id, b.id))
    } catch {
      return failed((error as? ShapeError) ?? ShapeError("\(error)"), standIn: a)
    }
  }
}

extension Value {
  public static func + (a: Value, b: Value) -> Value { a.builder.binary(Op.add, a, b) }
  public static func - (a: Value, b: Value) -> Value { a.builder.binary(Op.sub, a, b) }
  public static func * (a: Value, b: Value) -> Value { a.builder.binary(Op.mul, a, b) }
  public static func / (a: Value, b: Value) -> Value { a.builder.binary(Op.div, a, b) }
  public static prefix func - (a: Value) -> Value { a.apply(Op.neg) }

  public static func + (a: Value, b: Double) -> Value { a + a.builder.constant(b) }
  public static func - (a: Value, b: Double) -> Value { a - a.builder.constant(b) }
  public static func * (a: Value, b: Double) -> Value { a * a.builder.constant(b) }
  public static func / (a: Value, b: Double) -> Value { a / a.builder.constant(b) }
  public static func + (a: Double, b: Value) -> Value { b.builder.constant(a) + b }
  public static func - (a: Double, b: Value) -> Value { b.builder.constant(a) - b }
  public static func * (a: Double, b: Value) -> Value { b.builder.constant(a) * b }
  public static func / (a: Double, b: Value) -> Value { b.builder.constant(a) / b }

  public func broadcast(to shape: Shape) -> Value {
    if self.shape == shape { return self }
    return apply(Op.broadcastTo, Attributes([("shape", .shape(shape))]))
  }

  public func reshape(to shape: Shape) -> Value {
    if self.shape == shape { return self }
    return apply(Op.reshape, Attributes([("shape", .shape(shape))]))
  }

  public func sum(axes: [Int]? = nil, keepDims: Bool = false) -> Value {
    apply(Op.sum, reductionAttributes(axes, keepDims))
  }

  public func mean(axes: [Int]? = nil, keepDims: Bool = false) -> Value {
    apply(Op.mean, reductionAttributes(axes, keepDims))
  }

  /// The number of elements along `axes` (all by default), as a scalar node: folds to a constant
  /// when the shape is known, stays symbolic for a batch dimension `N`.
  public func size(axes: [Int]? = nil) -> Value {
    apply(Op.size, Attributes([("axes", .ints(axes ?? Array(0..<rank)))]))
  }

  func reductionAttributes(_ axes: [Int]?, _ keepDims: Bool) -> Attributes {
    var attributes = Attributes([("axes", .ints(axes ?? Array(0..<rank)))])
    if keepDims { attributes["keepdims"] = .bool(true) }
    return attributes
  }

  public func matmul(_ other: Value, transposeA: Bool = false, transposeB: Bool = false) -> Value {
    builder.apply(
      Op.matmul, [self, other], Self.matmulAttributes[(transposeA ? 1 : 0) + (transposeB ? 2 : 0)])
  }

  /// `matmul`'s attributes for each pair of transpose flags, made once: a product's derivative
  /// makes two transposed products, and setting the flags one by one made and sorted a new set
  /// for each.
  private static let matmulAttributes: [Attributes] = [
    .none,
    Attributes([("transpose_a", .bool(true))]),
    Attributes([("transpose_b", .bool(true))]),
    Attributes([("transpose_a", .bool(true)), ("transpose_b", .bool(true))]),
  ]

  public func outer(_ other: Value) -> Value { builder.apply(Op.outer, [self, other]) }
  public func transposed() -> Value { apply(Op.transpose) }

  /// Sums a broadcast cotangent back to `shape`: over the leading axes broadcasting added, then
  /// (keeping them) over the axes it stretched from 1.
  public func unbroadcast(to shape: Shape) -> Value {
    if self.shape == shape { return self }
    if shape.rank == 0 { return sum() }
    let extra = rank - shape.rank
    var result = extra > 0 ? sum(axes: Array(0..<extra)) : self
    let stretched = (0..<shape.rank).filter { shape[$0] == 1 && result.shape[$0] != 1 }
    if !stretched.isEmpty { result = result.sum(axes: stretched, keepDims: true) }
    return result
  }

  /// A reduction's cotangent made broadcastable again: unit axes put back where `axes` were removed.
  public func restoringAxes(_ axes: [Int], keptDims: Bool, inputShape: Shape) -> Value {
    if keptDims { return self }
    var dims = inputShape.dims
    for axis in axes { dims[axis] = 1 }
    return reshape(to: Shape(dims))
  }
}
