import FFCTensor

extension Op {
  /// `where(c, a, b)`: a where c > 0, else b, element by element (operands of one shape, or
  /// scalars). Its value follows IEEE arithmetic like every op's: `where(x, 1, 0) * log(x)` is
  /// NaN where x < 0, at every optimisation level. Its derivative sends the cotangent to the branch
  /// taken and an exact 0 to the other, by selection, not by multiplying with a mask; reverse mode
  /// then builds the derivatives of the branch's own ops inside the selection (`cotangentRules`),
  /// so a branch that is inf or NaN where it is not taken (sqrt of a negative, log of 0) leaves
  /// the gradient finite there: no 0 · inf. That is part of how the gradient is built, so -O0 and
  /// -O1 compute the same gradient; the optimiser's rewrites only keep values.
  public static let select: Op = Op(
    name: "where", arity: 3,
    inferShape: { shapes, _ in
      try elementwiseShape("where", try elementwiseShape("where", shapes[0], shapes[1]), shapes[2])
    },
    evaluate: { inputs, _, shape in
      let count = shape.reduce(1, *)
      func element(_ t: Tensor, _ i: Int) -> Double {
        t.scalars.count == 1 ? t.scalars[0] : t.scalars[i]
      }
      return Tensor(
        shape: shape,
        scalars: (0..<count).map { i in
          element(inputs[0], i) > 0 ? element(inputs[1], i) : element(inputs[2], i)
        })
    },
    vjp: { c in
      let zero = c.builder.constant(0)
      return [
        nil,
        c.reduced(c.builder.apply(Op.select, [c.inputs[0], c.g, zero]), for: 1),
        c.reduced(c.builder.apply(Op.select, [c.inputs[0], zero, c.g]), for: 2),
      ]
    },
    jvp: { c in
      guard c.tangents[1] != nil || c.tangents[2] != nil else { return nil }
      let zero = c.builder.constant(0)
      return c.expanded(
        c.builder.apply(Op.select, [c.inputs[0], c.tangents[1] ?? zero, c.tangents[2] ?? zero]))
    },
    call: CallSignature(["where"], tensors: 3),
    samples: [
      OpSample([[3], [3], [3]], domains: [.awayFromKinks, .any, .any]),
      OpSample([[2, 3], [], [2, 3]], domains: [.awayFromKinks, .any, .any]),
      OpSample([[], [3], [3]], domains: [.awayFromKinks, .any, .any]),
    ],
    range: { r, _, _ in
      ValueRange(
        Swift.min(r[1].lower, r[2].lower), Swift.max(r[1].upper, r[2].upper),
        excludesZero: r[1].excludesZero && r[2].excludesZero)
    })

  static let selectOps: [Op] = [select]

  /// The rules reverse mode applies while it builds a cotangent (`GraphBuilder.buildsCotangents`),
  /// at every optimisation level: they define the derivative, where a branch not taken
  /// contributes an exact 0 whatever the derivative of its ops is there. They are not optimiser
  /// rewrites: on a program's own values `where(c, a, 0) * f` is not `where(c, a * f, 0)` where f
  /// is inf or NaN, and the optimiser keeps values.
  public static let cotangentRules: [RewriteRule] = [
    factorSelected, negationSelected, selectionsMerged,
  ]

  /// `op(inputs)` with a selection whose branch is 0 moved outside, or nil when no rule applies.
  static func selectedForm(_ op: Op, _ inputs: [Value], _ builder: GraphBuilder) -> Value? {
    guard inputs.contains(where: { $0.op === Op.select }) else { return nil }
    let rule: RewriteRule
    if op === Op.mul || op === Op.div {
      rule = factorSelected
    } else if op === Op.neg {
      rule = negationSelected
    } else if op === Op.add || op === Op.sub {
      rule = selectionsMerged
    } else {
      return nil
    }
    guard let shape = try? op.inferShape(inputs.map(\.shape), .none) else { return nil }
    let node = Node(
      op: op, inputs: inputs.map(\.id), attributes: .none, shape: shape,
      location: builder.currentLocation, isGradient: builder.emittingGradient)
    return rule.apply(RewriteContext(node: node, inputs: inputs, builder: builder))
  }

  /// where(c, a, 0) · f → where(c, a · f, 0), and the same for the other branch and for a
  /// quotient's numerator: the factor (a branch's derivative, inf or NaN where the branch is not
  /// taken) is selected away instead of multiplied by 0. A cotangent rule only.
  static let factorSelected = RewriteRule(
    "where(c, a, 0)*f -> where(c, a*f, 0)",
    example: "param x[3] = [-1, 1, 4]\nloss L = sum(where(x, sqrt(x), 0))\n"
  ) { r in
    let positions = r.node.op === Op.div ? [0] : [0, 1]
    for i in positions where r.inputs[i].op === Op.select {
      let (branches, factor) = (r.operands(of: r.inputs[i]), r.inputs[1 - i])
      func times(_ branch: Value) -> Value {
        r.builder.apply(r.node.op, i == 0 ? [branch, factor] : [factor, branch])
      }
      if branches[2].isConstant(0), branches[2].rank == 0 {
        return r.builder.apply(Op.select, [branches[0], times(branches[1]), branches[2]])
      }
      if branches[1].isConstant(0), branches[1].rank == 0 {
        return r.builder.apply(Op.select, [branches[0], branches[1], times(branches[2])])
      }
    }
    return nil
  }

  /// where(c, a, b) ± where(c, d, e) → where(c, a ± d, b ± e): a selection is linear in its
  /// branches, so this keeps values, and the optimiser applies it too. Two cases fire. When nothing else reads either selection, one node replaces three
  /// (the Huber loss's gradient becomes where(|e| − 1, sign(e), e)). When both have a 0 in the same
  /// branch, it fires whatever else reads them: the gradient of a value read twice adds two
  /// selections, and the sum would stop the next factor (inf or NaN where the branch is not
  /// taken) from moving inside.
  static let selectionsMerged = RewriteRule(
    "where(c,a,b)+where(c,d,e) -> where(c,a+d,b+e)",
    example: "param x[3] = [-1, 1, 4]\nloss L = sum(where(x, x, x + 1) + where(x, x * 3, x * x))\n"
  ) { r in
    let (p, q) = (r.inputs[0], r.inputs[1])
    guard p.op === Op.select, q.op === Op.select, p.id != q.id, p.shape == q.shape else {
      return nil
    }
    let (ps, qs) = (r.operands(of: p), r.operands(of: q))
    guard ps[0].id == qs[0].id, ps[1].shape == qs[1].shape, ps[2].shape == qs[2].shape else {
      return nil
    }
    let isZero = { (v: Value) in v.isConstant(0) && v.rank == 0 }
    let sharesAZero = (isZero(ps[1]) && isZero(qs[1])) || (isZero(ps[2]) && isZero(qs[2]))
    guard sharesAZero || (r.isOnlyUse(0) && r.isOnlyUse(1)) else { return nil }
    // 0 ± 0 stays the constant 0, so the next factor still sees a branch that is 0.
    let combine = { (a: Value, b: Value) in
      isZero(a) && isZero(b) ? a : r.builder.apply(r.node.op, [a, b])
    }
    return r.builder.apply(Op.select, [ps[0], combine(ps[1], qs[1]), combine(ps[2], qs[2])])
  }

  /// −where(c, a, 0) → where(c, −a, 0), and the same for the other branch. A quotient's
  /// derivative negates its cotangent; the negation stood between a selection and the next
  /// factor, which then multiplied the branch not taken by its inf or NaN (the second derivative
  /// of where(x, sqrt(x), 0) was NaN at x < 0). A cotangent rule only: on values the sign of a
  /// zero not taken changes (1 / −where(c, a, 0) is −inf where c ≤ 0).
  static let negationSelected = RewriteRule(
    "-where(c, a, 0) -> where(c, -a, 0)",
    example: "param x[3] = [-1, 1, 4]\nL = sum(where(x, sqrt(x), 0))\nloss R = sum(grad(L, x))\n"
  ) { r in
    guard r.x.op === Op.select else { return nil }
    let branches = r.operands(of: r.x)
    if branches[2].isConstant(0), branches[2].rank == 0 {
      return r.builder.apply(Op.select, [branches[0], -branches[1], branches[2]])
    }
    if branches[1].isConstant(0), branches[1].rank == 0 {
      return r.builder.apply(Op.select, [branches[0], branches[1], -branches[2]])
    }
    return nil
  }
}
