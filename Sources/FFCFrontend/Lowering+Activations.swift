import FFCDiagnostics
import FFCIR

/// The activation of a `dense` layer: an op of one operand that keeps the shape (`relu`,
/// `softmax`), or one with parameters of its own: `prelu` learns a slope per unit, `maxout`
/// keeps the largest of `k` pre-activations per unit.
enum DenseActivation {
  case none
  case op(Op)
  case prelu
  case maxout

  /// The activations that are not ops of one operand, for the did-you-mean.
  static let learned = ["prelu", "maxout"]

  init?(_ name: String) {
    switch name {
    case "none", "linear", "identity": self = .none
    case "prelu": self = .prelu
    case "maxout": self = .maxout
    default:
      guard let op = OpRegistry.callableOp(name), Lowering.isActivation(op) else { return nil }
      self = .op(op)
    }
  }

  /// He after the relu family (prelu included), Glorot otherwise.
  var initializer: Initializer {
    switch self {
    case .none, .maxout: .glorot
    case .op(let op): op.denseInitializer ?? .glorot
    case .prelu: .he
    }
  }
}

extension Lowering {
  /// PyTorch's starting slope of a PReLU.
  static let startingSlope = 0.25

  /// `maxout(z, k)`: the largest of each group of `k` consecutive units of the last axis, built as
  /// what it is, `max(reshape(z, [..., units, k]), axis=-1)`, so its derivative is max's (split
  /// equally between ties).
  static func maxout(_ z: NodeID, groupSize k: Int, _ builder: GraphBuilder) throws -> NodeID {
    let shape = builder[z].shape
    guard let last = shape.dims.last?.value, last % k == 0 else {
      throw ShapeError(
        "'maxout' needs a last axis of a fixed size divisible by k = \(k), got \(shape)")
    }
    let grouped = Shape(Array(shape.dims.dropLast()) + [.fixed(last / k), .fixed(k)])
    let pieces = try builder.emit(Op.reshape, [z], Attributes([("shape", .shape(grouped))]))
    return try builder.emit(Op.max, [pieces], Attributes([("axes", .ints([grouped.rank - 1]))]))
  }

  /// `maxout(z, k)` or `maxout(z, k=2)`.
  mutating func lowerMaxout(
    _ node: ExpressionNode, _ arguments: [ExpressionNode.Argument], _ e: Expression,
    _ values: [NodeID?]
  ) -> NodeID? {
    let usage = "'maxout' takes a value and the group size k: maxout(z, k) or maxout(z, k=2)"
    guard arguments.count == 2, arguments[0].label == nil, arguments[1].label ?? "k" == "k" else {
      diagnostics.add(.badOption(usage, at: node.range))
      return nil
    }
    guard let z = values[arguments[0].value] else { return nil }
    guard let k = evaluateNumber(e, arguments[1].value), k >= 1, k == k.rounded(), k < 1e6 else {
      diagnostics.add(
        .badOption(
          "the group size k of 'maxout' must be a positive whole number",
          at: e.nodes[arguments[1].value].range))
      return nil
    }
    return emit(node) { try Self.maxout(z, groupSize: Int(k), $0) }
  }

  /// `k=` belongs to maxout, which needs it, and `a=` to prelu.
  mutating func checkActivationOptions(
    _ activation: DenseActivation, _ options: inout DenseOptions,
    _ arguments: [ExpressionNode.Argument], _ e: Expression
  ) -> Bool {
    let isMaxout: Bool
    let isPReLU: Bool
    switch activation {
    case .maxout: (isMaxout, isPReLU) = (true, false)
    case .prelu: (isMaxout, isPReLU) = (false, true)
    default: (isMaxout, isPReLU) = (false, false)
    }
    if let range = options.groupSizeRange, !isMaxout {
      diagnostics.add(.badOption("'k' of 'dense' is the group size of a maxout layer", at: range))
      return false
    }
    if isMaxout, options.groupSizeRange == nil {
      let call = e.nodes[e.root]
      diagnostics.add(
        .badOption(
          "a maxout layer needs its group size: dense(x, units, maxout, k=2) keeps the largest of k pre-activations per unit",
          at: call.range))
      return false
    }
    if let slope = options.slope, !isPReLU {
      diagnostics.add(
        .badOption("'a' of 'dense' gives the slopes of a prelu layer", at: slope.range))
      return false
    }
    return true
  }

  /// The layer's slopes `h.a` [units], and prelu(z, h.a).
  mutating func preluSlopes(
    _ name: String, _ nameRange: SourceRange, _ z: NodeID, _ units: Int, _ options: DenseOptions,
    _ call: ExpressionNode
  ) -> NodeID? {
    var start = Initializer.literal(Tensor(repeating: Self.startingSlope, shape: [units]))
    if let given = options.slope {
      guard let literal = denseStart(given, "\(name).a", [units]) else { return nil }
      start = literal
    }
    let slope = leaf(.param, qualified("\(name).a"), Shape([units]), nil)
    guard bind("\(name).a", slope, at: nameRange) else { return nil }
    declarations.append(
      Declaration(
        name: qualified("\(name).a"), kind: .param, node: slope, shape: Shape([units]),
        initializer: start, location: call.range.called(at: builder.callSite)))
    valueSites[declarations.count - 1] =
      functionSite(qualified("\(name).a"), Shape([units])) ?? options.slopeSite
    return emit(call) { try $0.elementwise(Op.prelu, z, slope) }
  }
}
