import FFCTensor

extension Op {
  /// A chain of elementwise ops run as one loop: only the fusion pass makes it, on the graph about
  /// to be planned (never in the graphs `ffc compile` prints by default), so it has no spelling
  /// and no derivative. Attributes: `program` (the expression, over the operands `#0`, `#1`, …)
  /// and `shape` (the output's). An operand smaller than the output is read broadcast, with its
  /// strides, as `broadcast_to` would have made it.
  public static let fused: Op = Op(
    name: "fused", arity: Op.variadic, traits: .executionOnly,
    inferShape: { shapes, attributes in
      let target = attributes.shape("shape")
      for shape in shapes where Shape.broadcast(shape, target) != target {
        throw ShapeError("'fused' cannot read \(shape) as \(target)")
      }
      try attributes.program("program").check(operandCount: shapes.count)
      return target
    },
    evaluate: { inputs, attributes, shape in
      attributes.program("program").evaluate(
        inputs.map { Kernels.broadcast($0, to: shape) }, shape: shape)
    },
    vjp: nil,
    samples: [
      OpSample(
        [[2, 3], [3]],
        fusedAttributes([2, 3], [(Op.add, [.input(0), .input(1)]), (Op.tanh, [.step(0)])])),
      OpSample(
        [[5, 7], [5, 7]],
        fusedAttributes(
          [5, 7],
          [
            (Op.mul, [.input(1), .input(1)]), (Op.sub, [.literal(1), .step(0)]),
            (Op.mul, [.input(0), .step(1)]),
          ])),
      OpSample(
        [[4, 1], [], [4, 3]],
        fusedAttributes(
          [4, 3],
          [
            (Op.mul, [.input(0), .input(1)]), (Op.sigmoid, [.input(1)]),
            (Op.add, [.step(0), .step(1)]),
            (Op.div, [.step(2), .input(2)]),
          ]), domains: [.any, .any, .positive]),
    ])

  /// Ops only passes make for execution; not part of the language or of differentiation.
  /// (`Node.embeddedNumbers` reads a fused node's literals.)
  public static let executionOps: [Op] = [fused]

  /// The attributes of a `fused` node computing `steps` into `shape`.
  public static func fusedAttributes(_ shape: Shape, _ steps: [(Op, [ElementwiseProgram.Operand])])
    -> Attributes
  {
    fusedAttributes(shape, ElementwiseProgram(steps.map { ElementwiseProgram.Step($0.0, $0.1) }))
  }

  public static func fusedAttributes(_ shape: Shape, _ program: ElementwiseProgram) -> Attributes {
    Attributes([("program", .program(program)), ("shape", .shape(shape))])
  }
}

extension ElementwiseProgram {
  /// Every step names an elementwise op with the right number of operands, each an operand of
  /// the node or an earlier step.
  func check(operandCount: Int) throws {
    guard !steps.isEmpty else { throw ShapeError("'fused' has an empty program") }
    for (index, step) in steps.enumerated() {
      guard step.op.scalarFunction != nil, step.operands.count == step.op.arity else {
        throw ShapeError(
          "'fused' cannot run '\(step.op.name)' with \(step.operands.count) operands")
      }
      for operand in step.operands {
        switch operand {
        case .input(let i) where i < 0 || i >= operandCount, .step(let i) where i < 0 || i >= index:
          throw ShapeError("'fused' step \(index) reads an operand it cannot see")
        default: continue
        }
      }
    }
  }

  /// The reference evaluation: each step's own `evaluate` on whole tensors, operands already
  /// broadcast to the output's shape.
  func evaluate(_ inputs: [Tensor], shape: [Int]) -> Tensor {
    var values: [Tensor] = []
    for step in steps {
      let operands = step.operands.map { operand -> Tensor in
        switch operand {
        case .input(let i): inputs[i]
        case .step(let k): values[k]
        case .literal(let x): Kernels.broadcast(Tensor(x), to: shape)
        }
      }
      values.append(step.op.evaluate(operands, step.attributes, shape))
    }
    return values.last ?? Tensor(repeating: 0, shape: shape)
  }
}

extension Node {
  /// The numbers written into this node: a constant's elements, or the literals of a fused
  /// node's program. A plan checks them against its element type (1e39 is no f32).
  public var embeddedNumbers: [Double] {
    if let constant = constantValue { return constant.scalars }
    guard op === Op.fused else { return [] }
    return attributes.program("program").steps.flatMap { step in
      step.operands.compactMap { operand in
        if case .literal(let x) = operand { x } else { nil }
      }
    }
  }

  /// The first of `embeddedNumbers` for which `test` holds, found without making the array (the
  /// plan asks at every node).
  public func firstEmbeddedNumber(where test: (Double) -> Bool) -> Double? {
    if let constant = constantValue { return constant.scalars.first(where: test) }
    guard op === Op.fused else { return nil }
    for step in attributes.program("program").steps {
      for operand in step.operands {
        if case .literal(let x) = operand, test(x) { return x }
      }
    }
    return nil
  }
}
