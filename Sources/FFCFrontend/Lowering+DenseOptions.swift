import FFCDiagnostics
import FFCIR

extension Lowering {
  /// The keyword options of one `dense` call, read before the layer's shapes are known.
  struct DenseOptions {
    var initializer: Initializer
    var useBias = true
    /// `W=` and `b=`: the starting values, with the literal's range for a shape error.
    /// A loaded value stays in its file (`Initializer.stored`); a literal is `.literal`.
    var weight: (value: Initializer, range: SourceRange)?
    var bias: (value: Initializer, range: SourceRange)?
    /// Where `ProgramWriter` puts `h.W`'s and `h.b`'s values.
    var weightSite: ValueSite
    var biasSite: ValueSite
    /// `k=`: a maxout layer's pieces per unit (1 for every other activation).
    var groupSize = 1
    var groupSizeRange: SourceRange?
    /// `a=`: a prelu layer's starting slopes, and where `ProgramWriter` puts `h.a`'s values.
    var slope: (value: Tensor, range: SourceRange)?
    var slopeSite: ValueSite
  }

  /// Reads `init=`, `bias=`, `W=` and `b=`. Each is given at most once; `W=` (the values
  /// themselves) excludes `init=` (a way to make them), and `b=` excludes `bias=0`.
  mutating func readDenseOptions(
    _ arguments: [ExpressionNode.Argument], _ e: Expression, layer: String,
    initializer: Initializer
  ) -> DenseOptions? {
    // A new option goes right after the last argument, so comments before ')' stay where they are.
    let end = e.nodes[arguments[arguments.count - 1].value].range.end.offset
    let first = e.nodes[arguments[0].value].range.start.offset
    var options = DenseOptions(
      initializer: initializer,
      weightSite: ValueSite(range: end..<end, prefix: "W=", alignedWith: first),
      biasSite: ValueSite(range: end..<end, prefix: "b=", alignedWith: first),
      slopeSite: ValueSite(range: end..<end, prefix: "a=", alignedWith: first))
    var given: [String: ExpressionNode.Argument] = [:]
    for argument in arguments {
      guard let label = argument.label else { continue }
      let value = e.nodes[argument.value]
      guard given[label] == nil else {
        diagnostics.add(.badOption("option '\(label)' of 'dense' is given twice", at: value.range))
        return nil
      }
      given[label] = argument
      switch label {
      case "init":
        guard let parsed = parseInitializer(e, root: argument.value) else {
          diagnostics.add(
            .badInitializer(
              "expected an initializer: he, glorot, xavier, zeros, ones, uniform(a, b) or normal(mean, std)",
              at: value.range))
          return nil
        }
        options.initializer = parsed
      case "bias":
        guard let flag = evaluateNumber(e, argument.value), flag == 0 || flag == 1 else {
          diagnostics.add(.badOption("'bias' of 'dense' must be 0 or 1", at: value.range))
          return nil
        }
        options.useBias = flag == 1
      case "W", "b":
        if label == "W", let name = calleeOrName(value), Self.initializerParameters[name] != nil {
          diagnostics.add(
            .badOption(
              "'W' of 'dense' takes the starting values as a literal such as [[1, 2], [3, 4]]; to name an initializer, write 'init=\(name)'",
              at: value.range))
          return nil
        }
        let loaded =
          isLoad(e, root: argument.value)
          ? loadValue(e, root: argument.value, defaultName: "\(layer).\(label)", shape: nil)
          : evaluateLiteral(e, root: argument.value).map { Initializer.literal($0) }
        guard let tensor = loaded else { return nil }
        if label == "W" {
          options.weight = (tensor, value.range)
          options.weightSite = .replacing(value.range)
        } else {
          options.bias = (tensor, value.range)
          options.biasSite = .replacing(value.range)
        }
      case "k":
        guard let k = evaluateNumber(e, argument.value), k >= 1, k == k.rounded(), k < 1e6 else {
          diagnostics.add(
            .badOption(
              "'k' of 'dense' (maxout's pieces per unit) must be a positive whole number",
              at: value.range))
          return nil
        }
        options.groupSize = Int(k)
        options.groupSizeRange = argument.labelRange ?? value.range
      case "a":
        let loaded =
          isLoad(e, root: argument.value)
          ? loadTensor(e, root: argument.value, defaultName: "\(layer).a", shape: nil)
          : evaluateLiteral(e, root: argument.value)
        guard let tensor = loaded else { return nil }
        options.slope = (tensor, value.range)
        options.slopeSite = .replacing(value.range)
      default:
        diagnostics.add(
          .badOption(
            "'dense' has no option '\(label)'; its options are 'init', 'bias', 'W', 'b', 'a' (prelu) and 'k' (maxout)",
            at: argument.labelRange ?? value.range))
        return nil
      }
    }
    guard
      checkExclusive(
        given["W"], given["init"],
        "'dense' takes 'W' or 'init', not both: 'W' gives the starting values themselves")
    else { return nil }
    if !options.useBias,
      !checkExclusive(
        given["b"], given["bias"],
        "'dense' takes 'b' or 'bias=0', not both: 'bias=0' leaves the bias out")
    {
      return nil
    }
    if options.weight == nil, let site = replacingInit(arguments, e, alignedWith: first) {
      options.weightSite = site
    }
    return options
  }

  /// Writing `W=` replaces `init=`: the comma before it and the option itself make way for the
  /// new option on its own line. If a comment sits in between, only the option is replaced.
  private func replacingInit(
    _ arguments: [ExpressionNode.Argument], _ e: Expression, alignedWith first: Int
  ) -> ValueSite? {
    guard let index = arguments.firstIndex(where: { $0.label == "init" }), index > 0,
      let label = arguments[index].labelRange
    else { return nil }
    let end = e.nodes[arguments[index].value].range.end.offset
    let previousEnd = e.nodes[arguments[index - 1].value].range.end.offset
    let between = file.bytes.dropFirst(previousEnd).prefix(label.start.offset - previousEnd)
    guard !between.contains(UInt8(ascii: "#")) else {
      return ValueSite(range: label.start.offset..<end, prefix: "W=", alignedWith: nil)
    }
    return ValueSite(range: previousEnd..<end, prefix: "W=", alignedWith: first)
  }

  /// Reports two options that cannot be combined, at the later one. True when at most one is given.
  private mutating func checkExclusive(
    _ a: ExpressionNode.Argument?, _ b: ExpressionNode.Argument?, _ message: String
  ) -> Bool {
    guard let a, let b, let first = a.labelRange, let second = b.labelRange else { return true }
    diagnostics.add(.badOption(message, at: first.start < second.start ? second : first))
    return false
  }

  private func calleeOrName(_ node: ExpressionNode) -> String? {
    switch node.kind {
    case .name(let name), .call(let name, _): name
    default: nil
    }
  }

  /// A `W=` or `b=` literal for a parameter of `shape`: that shape, or a number that fills it.
  mutating func denseStart(
    _ given: (value: Initializer, range: SourceRange), _ name: String, _ shape: [Int]
  ) -> Initializer? {
    if case .stored(let stored) = given.value {
      guard stored.shape == shape else {
        diagnostics.add(
          .denseValueShape(
            name, needed: Shape(shape).description, found: Shape(stored.shape).description,
            at: given.range))
        return nil
      }
      return given.value
    }
    guard case .literal(let literal) = given.value else { return given.value }
    return denseStart((literal, given.range), name, shape)
  }

  /// `denseStart` for a literal.
  mutating func denseStart(
    _ given: (value: Tensor, range: SourceRange), _ name: String, _ shape: [Int]
  ) -> Initializer? {
    if given.value.isScalar {
      // Spread when the program runs if the layer is large (as a `param`'s number is).
      if (Shape(shape).elementCount ?? 0) > Self.largestFill { return .literal(given.value) }
      return .literal(Tensor(repeating: given.value.scalars[0], shape: shape))
    }
    guard given.value.shape == shape else {
      diagnostics.add(
        .denseValueShape(
          name, needed: Shape(shape).description, found: Shape(given.value.shape).description,
          at: given.range))
      return nil
    }
    return .literal(given.value)
  }
}
