import FFCDiagnostics
import FFCIR

extension Lowering {
  mutating func declare(
    kind keyword: String, name: String, nameRange: SourceRange, shape syntax: [DimensionSyntax]?,
    value: Expression?, statement: SourceRange
  ) {
    guard let kind = DeclarationKind(rawValue: keyword) else { return }
    if kind == .param, name.contains(".") {
      declareOverride(name, nameRange: nameRange, shape: syntax, value: value, statement: statement)
      return
    }
    if !namePrefix.isEmpty, kind != .param, kind != .const {
      diagnostics.add(.functionBodyStatement(keyword, at: statement))
      _ = bind(name, nil, at: nameRange)
      return
    }
    var shape = syntax.map { Shape($0.map(dimension)) }
    if kind == .param || kind == .const, let shape, let symbol = shape.symbols.first {
      diagnostics.add(
        .batchDimensionInParameter(
          name, symbol,
          at: syntax?.first { if case .symbol = $0.kind { true } else { false } }?.range
            ?? nameRange))
      _ = bind(name, nil, at: nameRange)
      return
    }
    var initializer: Initializer?
    var literal: Tensor?
    if let value {
      if kind == .param, let parsed = parseInitializer(value) {
        initializer = parsed
      } else if kind == .param, isLoad(value, root: value.root) {
        guard let loaded = loadValue(value, root: value.root, defaultName: name, shape: shape)
        else {
          _ = bind(name, nil, at: nameRange)
          return
        }
        initializer = loaded
        if shape == nil {
          switch loaded {
          case .literal(let tensor): shape = Shape(tensor.shape)
          case .stored(let stored): shape = Shape(stored.shape)
          default: break
          }
        }
      } else if let tensor = evaluateLiteral(value) {
        literal = tensor
      } else {
        _ = bind(name, nil, at: nameRange)
        return
      }
    }
    if let tensor = literal, let value {
      // A number filling a large parameter, input or target stays one number: its value is made
      // when the program runs, within the memory budget (made here, a shape larger than the
      // memory aborted the compiler). `Declaration.defaultIsFill` says so to the data's readers.
      let keepsScalar =
        kind != .const && tensor.isScalar && (shape?.elementCount ?? 0) > Self.largestFill
      if kind == .const, tensor.isScalar, let shape, (shape.elementCount ?? 0) > Self.largestFill {
        diagnostics.add(
          .constantFillTooLarge(
            name, shape: shape.description, limit: Self.largestFill, at: value.range))
        _ = bind(name, nil, at: nameRange)
        return
      }
      if let declared = shape, !keepsScalar {
        guard let fitted = fit(tensor, to: declared, value.range) else {
          _ = bind(name, nil, at: nameRange)
          return
        }
        literal = fitted
      } else if shape == nil {
        shape = Shape(tensor.shape)
      }
    }
    let finalShape = shape ?? .scalar
    if let tensor = literal, let value, !checkDefault(kind, name, tensor, finalShape, value.range) {
      _ = bind(name, nil, at: nameRange)
      return
    }
    if kind == .param, initializer == nil {
      initializer = literal.map { .literal($0) } ?? .zeros
      literal = nil
    }
    if kind == .const, literal == nil {
      diagnostics.add(.constantWithoutValue(name, at: nameRange))
      _ = bind(name, nil, at: nameRange)
      return
    }
    let node = leaf(kind, qualified(name), finalShape, literal)
    guard bind(name, node, at: nameRange) else { return }
    declarations.append(
      Declaration(
        name: qualified(name), kind: kind, node: node, shape: finalShape, initializer: initializer,
        defaultValue: kind == .const ? nil : literal,
        location: nameRange.called(at: builder.callSite)))
    if kind == .param {
      valueSites[declarations.count - 1] =
        functionSite(qualified(name), finalShape)
        ?? value.map { .replacing($0.range) } ?? .inserting(at: statement.end.offset, prefix: " = ")
    }
  }

  /// A label's default must be class indices, and a symbolic dimension must get the same size from
  /// every default value that binds it.
  mutating func checkDefault(
    _ kind: DeclarationKind, _ name: String, _ value: Tensor, _ shape: Shape, _ range: SourceRange
  ) -> Bool {
    if kind == .label, let bad = value.scalars.first(where: { $0 < 0 || $0 != $0.rounded() }) {
      diagnostics.add(.badLabelDefault(TensorFormat.number(bad), at: range))
      return false
    }
    for (dim, size) in zip(shape.dims, value.shape) {
      guard case .symbol(let symbol) = dim else { continue }
      if let (bound, source, where_) = symbolSizes[symbol], bound != size {
        diagnostics.add(
          .symbolSizeConflict(
            name, symbol: symbol, size: size, first: source, firstSize: bound, at: range,
            firstRange: where_))
        return false
      }
      if symbolSizes[symbol] == nil { symbolSizes[symbol] = (size, name, range) }
    }
    return true
  }

  func dimension(_ syntax: DimensionSyntax) -> Dim {
    switch syntax.kind {
    case .number(let n): .fixed(n)
    case .symbol(let s): .symbol(s)
    }
  }

  /// Emits the leaf node of a declaration.
  func leaf(_ kind: DeclarationKind, _ name: String, _ shape: Shape, _ literal: Tensor?) -> NodeID {
    let node: NodeID
    switch kind {
    case .const: node = builder.constantNode(literal ?? Tensor(0))
    case .param: node = builder.leaf(Op.param, name: name, shape: shape)
    default: node = builder.leaf(Op.input, name: name, shape: shape)
    }
    if builder[node].name == nil { builder.rename(node, name) }
    return node
  }

  /// The most elements a number given for a parameter's shape is spread to while lowering.
  static let largestFill = 1 << 24

  /// A literal given for a declared shape: equal shapes, a scalar that fills the shape, or data
  /// rows that bind the batch dimension (`input X[N, 2] = [[0, 0], [0, 1]]`).
  mutating func fit(_ tensor: Tensor, to shape: Shape, _ range: SourceRange) -> Tensor? {
    if tensor.isScalar, let sizes = shape.concrete {
      return Tensor(repeating: tensor.scalars[0], shape: sizes)
    }
    let matches =
      tensor.rank == shape.rank
      && zip(tensor.shape, shape.dims).allSatisfy { size, dim in
        dim.value.map { $0 == size } ?? true
      }
    guard matches else {
      diagnostics.add(
        .shapeMismatch(
          "the value", declared: shape.description, found: Shape(tensor.shape).description,
          at: range))
      return nil
    }
    return tensor
  }

  /// `he`, `glorot`, `xavier`, `zeros`, `ones`, `uniform(a, b)`, `normal(mean, std)`; nil when the
  /// expression is not an initializer (then it must be a literal).
  mutating func parseInitializer(_ value: Expression, root rootIndex: Int? = nil) -> Initializer? {
    let root = value.nodes[rootIndex ?? value.root]
    switch root.kind {
    case .name(let name):
      switch name {
      case "he": return .he
      case "glorot", "xavier": return .glorot
      case "zeros": return .zeros
      case "ones": return .ones
      default: return nil
      }
    case .call(let callee, let arguments):
      return initializerCall(callee, arguments, value, root)
    default:
      return nil
    }
  }

  static let initializerParameters: [String: [String]] = [
    "he": [], "glorot": [], "xavier": [], "zeros": [], "ones": [], "uniform": ["low", "high"],
    "normal": ["mean", "std"],
  ]

  /// `uniform(-0.1, 0.1)`, `normal(mean=0, std=0.01)`, `he()`.
  mutating func initializerCall(
    _ callee: String, _ arguments: [ExpressionNode.Argument], _ value: Expression,
    _ root: ExpressionNode
  ) -> Initializer? {
    guard let parameters = Self.initializerParameters[callee] else { return nil }
    guard checkArgumentOrder(callee, arguments, value) else { return .zeros }
    guard arguments.count == parameters.count else {
      diagnostics.add(
        .wrongArgumentCount(
          callee,
          expected: parameters.isEmpty
            ? "no arguments"
            : "\(parameters.count) numbers (\(parameters.joined(separator: ", ")))",
          got: arguments.count, at: root.range))
      return .zeros
    }
    var numbers: [String: Double] = [:]
    for (position, argument) in arguments.enumerated() {
      let name = argument.label ?? parameters[position]
      guard parameters.contains(name), numbers[name] == nil else {
        diagnostics.add(
          .badOption(
            "'\(callee)' takes \(parameters.map { "'\($0)'" }.joined(separator: " and ")), once each",
            at: argument.labelRange ?? root.range))
        return .zeros
      }
      guard let number = evaluateNumber(value, argument.value) else {
        diagnostics.add(
          .badOption(
            "the arguments of '\(callee)' must be numbers", at: value.nodes[argument.value].range))
        return .zeros
      }
      numbers[name] = number
    }
    switch callee {
    case "uniform":
      let (low, high) = (numbers["low"] ?? 0, numbers["high"] ?? 0)
      guard low < high else {
        diagnostics.add(
          .badInitializer(
            "'uniform' needs low < high, got \(TensorFormat.number(low)) and \(TensorFormat.number(high))",
            at: root.range))
        return .zeros
      }
      return .uniform(low: low, high: high)
    case "normal":
      let (mean, std) = (numbers["mean"] ?? 0, numbers["std"] ?? 0)
      guard std >= 0 else {
        diagnostics.add(
          .badInitializer(
            "'normal' needs a standard deviation >= 0, got \(TensorFormat.number(std))",
            at: root.range))
        return .zeros
      }
      return .normal(mean: mean, std: std)
    case "he": return .he
    case "glorot", "xavier": return .glorot
    case "zeros": return .zeros
    default: return .ones
    }
  }
}
