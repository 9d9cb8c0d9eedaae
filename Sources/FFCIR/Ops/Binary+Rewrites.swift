// The rules of add, sub and mul that go beyond identities: constants gathered along a chain, and
// the gradient's accumulations merged. Reverse mode sums one cotangent per use of a value; when
// those contributions share a factor (g·f₁ + g·f₂) or went through the same linear map
// (Wᵀ·a + Wᵀ·b, Σa + Σb), the sum is taken first and the map applied once.

extension Op {
  static let additionRules: [RewriteRule] = [
    RewriteRule("x+0 -> x", example: "param x[2] = [1, 2]\nloss L = sum(x + 0)\n") { r in
      r.inputs[1].isConstant(0) ? r.keeping(r.inputs[0]) : nil
    },
    RewriteRule("0+x -> x", example: "param x[2] = [1, 2]\nloss L = sum(0 + x)\n") { r in
      r.inputs[0].isConstant(0) ? r.keeping(r.inputs[1]) : nil
    },
    RewriteRule("x+x -> x*2", example: "param x[2] = [1, 2]\nloss L = sum(x + x)\n") { r in
      r.inputs[0].id == r.inputs[1].id ? r.inputs[0] * 2 : nil
    },
    constantsGathered, negationAbsorbed, sharedFactor, linearMapShared, selectionsMerged,
  ]

  static let subtractionRules: [RewriteRule] = [
    RewriteRule("x-0 -> x", example: "param x[2] = [1, 2]\nloss L = sum(x - 0)\n") { r in
      r.inputs[1].isConstant(0) ? r.keeping(r.inputs[0]) : nil
    },
    RewriteRule("0-x -> -x", example: "param x[2] = [1, 2]\nloss L = sum(0 - x)\n") { r in
      r.inputs[0].isConstant(0) && r.inputs[1].shape == r.node.shape ? -r.inputs[1] : nil
    },
    RewriteRule(
      "exp(x) - 1 -> expm1(x)", phase: .stabilize,
      example: "param x[2] = [1, 2]\nloss L = sum(exp(x) - 1)\n"
    ) { r in
      guard r.inputs[1].isConstant(1), r.inputs[0].op === Op.exp else { return nil }
      // The ones may be the larger operand (exp(s) - [1, 1, 1]): the result is broadcast back.
      return r.keeping(r.builder.value(r.inputs[0].node.inputs[0]).apply(Op.expm1))
    },
    constantsGathered, negationAbsorbed, sharedFactor, linearMapShared, selectionsMerged,
  ]

  static let multiplicationRules: [RewriteRule] = [
    RewriteRule("x*1 -> x", example: "param x[2] = [1, 2]\nloss L = sum(x * 1)\n") { r in
      r.inputs[1].isConstant(1) ? r.keeping(r.inputs[0]) : nil
    },
    RewriteRule("1*x -> x", example: "param x[2] = [1, 2]\nloss L = sum(1 * x)\n") { r in
      r.inputs[0].isConstant(1) ? r.keeping(r.inputs[1]) : nil
    },
    RewriteRule("x*-1 -> -x", example: "param x[2] = [1, 2]\nloss L = sum(x * -1)\n") { r in
      r.inputs[1].isConstant(-1) && r.inputs[0].shape == r.node.shape ? -r.inputs[0] : nil
    },
    // Only where x is known finite: 0 * inf and 0 * nan are nan, and folding would hide them.
    RewriteRule("x*0 -> 0", example: "param x[2] = [1, 2]\nloss L = sum(sigmoid(x) * 0 + x)\n") {
      r in
      let (a, b) = (r.inputs[0], r.inputs[1])
      guard (b.isConstant(0) && a.isKnownFinite) || (a.isConstant(0) && b.isKnownFinite) else {
        return nil
      }
      return r.builder.constant(0).broadcast(to: r.node.shape)
    },
    // (x·2)·0.5 is x·1: the constant factors of a chain (a loss's 1/2 against the square's 2) meet.
    RewriteRule("(x*c)*d -> x*(c*d)", example: "param x[2] = [1, 2]\nloss L = sum((x * 3) * 2)\n") {
      r in
      guard let outer = r.splitScalarConstant(), outer.value.op === Op.mul,
        r.isOnlyUse(outer.index),
        let (x, c) = r.splitScalarConstant(of: outer.value)
      else { return nil }
      // Not where c·d overflows or underflows, in f64 or in f32 (plans run in either): (0·1e308)·1e308
      // is 0 but 0·inf is NaN, and (1e-30·1e20)·1e20 is 1e10 in f32 but 1e-30·1e40 is inf.
      let product = c * outer.constant
      guard RewriteContext.fitsEveryPrecision(product) || c == 0 || outer.constant == 0 else {
        return nil
      }
      return x * r.builder.constant(product)
    },
  ]

  /// (x + c) + d → x + (c + d), and every mix of + and − around the two constants.
  static let constantsGathered = RewriteRule(
    "(x+c)+d -> x+(c+d)", example: "param x[2] = [1, 2]\nloss L = sum((x + 1) - 3)\n"
  ) { r in
    guard let inner = r.splitScalarConstant(),
      inner.value.op === Op.add || inner.value.op === Op.sub,
      r.isOnlyUse(inner.index), let (x, c) = r.splitScalarConstant(of: inner.value)
    else { return nil }
    let d = inner.constant
    // node = σ·inner + δ, inner = τ·x + k: node = στ·x + (σk + δ).
    let nodeIsSub = r.node.op === Op.sub
    let sigma: Double = nodeIsSub && inner.index == 1 ? -1 : 1
    let delta = nodeIsSub && inner.index == 0 ? -d : d
    let innerIsSub = inner.value.op === Op.sub
    let xIsFirst = inner.value.node.inputs[0] == x.id
    let tau: Double = innerIsSub && !xIsFirst ? -1 : 1
    let k = innerIsSub && xIsFirst ? -c : c
    // An overflowing sum is not gathered: 3e38 + 3e38 is inf in f32, where (x − 3e38) + 3e38 is finite.
    guard Swift.abs(sigma * k + delta) <= Double(Float.greatestFiniteMagnitude) else { return nil }
    let constant = r.builder.constant(sigma * k + delta)
    return sigma * tau > 0 ? x + constant : constant - x
  }

  /// a + (−b) → a − b, (−a) + b → b − a, a − (−b) → a + b.
  static let negationAbsorbed = RewriteRule(
    "a+(-b) -> a-b", example: "param x[2] = [1, 2]\nparam y[2] = [3, 5]\nloss L = sum(x + -y)\n"
  ) { r in
    let (a, b) = (r.inputs[0], r.inputs[1])
    guard a.shape == b.shape else { return nil }
    let isAdd = r.node.op === Op.add
    if b.op === Op.neg {
      let inner = r.builder.value(b.node.inputs[0])
      return isAdd ? a - inner : a + inner
    }
    if isAdd, a.op === Op.neg { return b - r.builder.value(a.node.inputs[0]) }
    return nil
  }

  /// a·x ± b·x → (a ± b)·x: one product instead of two. The contributions of a value's uses to its
  /// gradient often share the incoming cotangent (dL/dz = g·f₁'(z) + g·f₂'(z)). Equal up to
  /// rounding, except within a factor of 2 of the largest double, where a ± b can overflow.
  static let sharedFactor = RewriteRule(
    "a*x+b*x -> (a+b)*x",
    example: "param x[2] = [1, 2]\nparam w[2] = [3, 5]\nloss L = sum(w * x + w * w)\n"
  ) { r in
    let (p, q) = (r.inputs[0], r.inputs[1])
    guard p.op === Op.mul, q.op === Op.mul, r.isOnlyUse(0), r.isOnlyUse(1), p.id != q.id else {
      return nil
    }
    let (ps, qs) = (r.operands(of: p), r.operands(of: q))
    for i in 0..<2 {
      for j in 0..<2 where ps[i].id == qs[j].id {
        let (a, b) = (ps[1 - i], qs[1 - j])
        guard a.shape == b.shape else { continue }
        return r.builder.apply(r.node.op, [a, b]) * ps[i]
      }
    }
    return nil
  }

  /// f(a) ± f(b) → f(a ± b) for a linear f with the same attributes (Σ, broadcast, reshape,
  /// transpose, negation), and for a product with one operand in common (Wᵀ·a + Wᵀ·b).
  static let linearMapShared = RewriteRule(
    "f(a)+f(b) -> f(a+b) for linear f",
    example:
      "param W[2, 2] = [[1, 2], [3, 4]]\nparam x[2] = [1, 2]\nparam y[2] = [3, 5]\nloss L = sum(W @ x + W @ y)\n"
  ) { r in
    let (p, q) = (r.inputs[0], r.inputs[1])
    guard p.op === q.op, p.id != q.id, r.isOnlyUse(0), r.isOnlyUse(1),
      p.node.attributes == q.node.attributes
    else { return nil }
    let (ps, qs) = (r.operands(of: p), r.operands(of: q))
    if p.op.traits.contains(.linear) {
      guard ps[0].shape == qs[0].shape else { return nil }
      return r.builder.apply(p.op, [r.builder.apply(r.node.op, [ps[0], qs[0]])], p.node.attributes)
    }
    guard p.op.traits.contains(.bilinear) else { return nil }
    for shared in 0..<2
    where ps[shared].id == qs[shared].id && ps[1 - shared].shape == qs[1 - shared].shape {
      var operands = ps
      operands[1 - shared] = r.builder.apply(r.node.op, [ps[1 - shared], qs[1 - shared]])
      return r.builder.apply(p.op, operands, p.node.attributes)
    }
    return nil
  }
}

extension RewriteContext {
  /// The operand itself as the replacement, when it already has the node's shape (a scalar
  /// operand standing for a larger result is broadcast back).
  func keeping(_ operand: Value) -> Value {
    operand.shape == node.shape ? operand : operand.broadcast(to: node.shape)
  }

  func operands(of value: Value) -> [Value] { value.node.inputs.map(builder.value) }

  /// This node's non-constant operand (with its position) and its scalar constant operand.
  func splitScalarConstant() -> (value: Value, index: Int, constant: Double)? {
    guard inputs.count == 2 else { return nil }
    switch (Self.scalarConstant(inputs[0]), Self.scalarConstant(inputs[1])) {
    case (let c?, nil): return (inputs[1], 1, c)
    case (nil, let c?): return (inputs[0], 0, c)
    default: return nil
    }
  }

  /// A binary node's operand and its rank-0 constant operand, when it has exactly one.
  func splitScalarConstant(of value: Value) -> (Value, Double)? {
    let operands = operands(of: value)
    guard operands.count == 2 else { return nil }
    switch (Self.scalarConstant(operands[0]), Self.scalarConstant(operands[1])) {
    case (let c?, nil): return (operands[1], c)
    case (nil, let c?): return (operands[0], c)
    default: return nil
    }
  }

  /// A gathered constant that neither overflows nor underflows in f32, the narrowest precision
  /// a plan computes in (a graph's constants are f64 until then).
  static func fitsEveryPrecision(_ x: Double) -> Bool {
    let magnitude = Swift.abs(x)
    return magnitude <= Double(Float.greatestFiniteMagnitude)
      && magnitude >= Double(Float.leastNormalMagnitude)
  }

  static func scalarConstant(_ value: Value) -> Double? {
    value.rank == 0 ? value.node.constantValue?.scalars.first : nil
  }
}
