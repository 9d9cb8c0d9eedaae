import FFCDiagnostics
import FFCIR

extension Lowering {
  /// `h = dense(x, units, activation, init=..., bias=0|1, W=..., b=...)`: declares `h.W`
  /// [in, units] and `h.b` [units] and computes activation(x @ h.W + h.b). Default initialiser: He
  /// for relu, leaky_relu and prelu, Glorot otherwise; biases start at zero; `W=` and `b=` give
  /// the starting values as literals (what `ffc train --save` writes). `prelu` also declares the
  /// slopes `h.a` [units]; `maxout` with `k=` makes `units · k` pre-activations
  /// (Lowering+Activations.swift).
  mutating func lowerDense(
    _ name: String, _ nameRange: SourceRange, _ arguments: [ExpressionNode.Argument],
    _ e: Expression
  ) -> NodeID? {
    let call = e.nodes[e.root]
    guard checkArgumentOrder("dense", arguments, e) else { return nil }
    let positional = arguments.filter { $0.label == nil }
    guard positional.count >= 2, positional.count <= 3 else {
      diagnostics.add(
        .wrongArgumentCount(
          "dense", expected: "2 or 3 arguments (input, units, activation)", got: positional.count,
          at: call.range))
      return nil
    }
    guard let x = lowerExpression(e, root: positional[0].value) else { return nil }
    builder.currentLocation = call.range
    guard let units = evaluateNumber(e, positional[1].value), units >= 1, units == units.rounded(),
      units < 1e9
    else {
      diagnostics.add(
        .badOption(
          "the number of units of 'dense' must be a positive whole number",
          at: e.nodes[positional[1].value].range))
      return nil
    }
    var activation: DenseActivation = .none
    if positional.count == 3 {
      guard case .name(let activationName) = e.nodes[positional[2].value].kind else {
        diagnostics.add(
          .badOption(
            "the activation of 'dense' must be a function name such as 'relu'",
            at: e.nodes[positional[2].value].range))
        return nil
      }
      guard let found = DenseActivation(activationName) else {
        let names =
          OpRegistry.callable.filter { Self.isActivation($0.op) }.map(\.spelling)
          + DenseActivation.learned
        diagnostics.add(
          .unknownActivation(
            activationName, suggestion: EditDistance.closest(to: activationName, in: names),
            at: e.nodes[positional[2].value].range))
        return nil
      }
      activation = found
    }
    guard
      var options = readDenseOptions(
        arguments, e, layer: name, initializer: activation.initializer)
    else { return nil }
    guard checkActivationOptions(activation, &options, arguments, e) else { return nil }
    return denseLayer(name, nameRange, x, Int(units), activation, options, call)
  }

  /// An activation keeps the layer's shape: an elementwise function, or softmax/log_softmax.
  static func isActivation(_ op: Op) -> Bool {
    guard op.call?.tensorCount == 1, op.call?.options.allSatisfy({ !$0.isRequired }) ?? false else {
      return false
    }
    return op.isElementwise || op.traits.contains(.keepsShape)
  }

  private mutating func denseLayer(
    _ name: String, _ nameRange: SourceRange, _ x: NodeID, _ layerUnits: Int,
    _ activation: DenseActivation, _ options: DenseOptions, _ call: ExpressionNode
  ) -> NodeID? {
    // A maxout layer computes k pre-activations per unit, and keeps the largest of each group.
    let units = layerUnits * options.groupSize
    let inputShape = builder[x].shape
    guard inputShape.rank == 1 || inputShape.rank == 2, let fanIn = inputShape.dims.last?.value
    else {
      diagnostics.add(
        .shapeError(
          "'dense' needs a vector or a batch matrix with a fixed number of features, got \(inputShape)",
          at: call.range, focus: call.focus.start))
      return nil
    }
    var weightStart = options.initializer
    var biasStart = Initializer.zeros
    // Each name made once (a deep network has thousands of layers).
    let (weightName, biasName) = (name + ".W", name + ".b")
    if let given = options.weight {
      guard let start = denseStart(given, weightName, [fanIn, units]) else { return nil }
      weightStart = start
    }
    if let given = options.bias {
      guard let start = denseStart(given, biasName, [units]) else { return nil }
      biasStart = start
    }
    let weightShape = Shape([fanIn, units])
    let qualifiedWeight = qualified(weightName)
    let weight = leaf(.param, qualifiedWeight, weightShape, nil)
    guard bind(weightName, weight, at: nameRange) else { return nil }
    declarations.append(
      Declaration(
        name: qualifiedWeight, kind: .param, node: weight, shape: weightShape,
        initializer: weightStart,
        location: call.range.called(at: builder.callSite)))
    valueSites[declarations.count - 1] =
      functionSite(qualifiedWeight, weightShape) ?? options.weightSite
    guard var result = emit(call, { try $0.emit(Op.matmul, [x, weight]) }) else { return nil }
    if options.useBias {
      let biasShape = Shape([units])
      let qualifiedBias = qualified(biasName)
      let bias = leaf(.param, qualifiedBias, biasShape, nil)
      guard bind(biasName, bias, at: nameRange) else { return nil }
      declarations.append(
        Declaration(
          name: qualifiedBias, kind: .param, node: bias, shape: biasShape,
          initializer: biasStart, location: call.range.called(at: builder.callSite)))
      valueSites[declarations.count - 1] =
        functionSite(qualifiedBias, biasShape) ?? options.biasSite
      guard let sum = emit(call, { [result] in try $0.elementwise(Op.add, result, bias) }) else {
        return nil
      }
      result = sum
    }
    if case .none = activation { return result }
    if builder[result].name == nil { builder.rename(result, qualified("\(name).z")) }
    switch activation {
    case .none: return result
    case .op(let op):
      guard let signature = op.call else { return result }
      let defaults = signature.options.compactMap { o in o.defaultValue.map { (o.name, $0) } }
      let options = Dictionary(uniqueKeysWithValues: defaults)
      return emit(call) { [result] builder in
        try builder.emit(
          op, [result], try signature.makeAttributes(options, [builder[result].shape]))
      }
    case .prelu:
      return preluSlopes(name, nameRange, result, layerUnits, options, call)
    case .maxout:
      return emit(call) { [result] builder in
        try Self.maxout(result, groupSize: options.groupSize, builder)
      }
    }
  }
}
