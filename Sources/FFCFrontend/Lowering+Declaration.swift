import FFCDiagnostics
import FFCIR

extension Lowering {
  mutating func declare(
    kind keyword: String, name: String, nameRange: SourceRange, shape syntax: [DimensionSyntax]?,
    value: Expression?, statement: SourceRange
  ) {
    guard let kind = DeclarationKind(rawValue: keyword) else { return }
    var shape = syntax.map { Shape($0.map(dimension)) }
    if kind == .param || kind == .const, let shape, let symbol = shape.symbols.first {
      diagnostics.add(.batchDimensionInParameter(name, symbol, at: syntax?.first { if case .symbol = $0.kind { true } else { false } }?.range ?? nameRange))
      _ = bind(name, nil, at: nameRange)
      return
    }
    var initializer: Initializer?
    var literal: Tensor?
    if let value {
      if kind == .param, let parsed = parseInitializer(value) {
        initializer = parsed
      } else if let tensor = evaluateLiteral(value) {
        literal = tensor
      } else {
        _ = bind(name, nil, at: nameRange)
        return
      }
    }
    if let tensor = literal, let value {
      if let declared = shape {
        guard let fitted = fit(tensor, to: declared, value.range) else {
          _ = bind(name, nil, at: nameRange)
          return
        }
        literal = fitted
      } else {
        shape = Shape(tensor.shape)
      }
    }
    let finalShape = shape ?? .scalar
    if kind == .param, initializer == nil {
      initializer = literal.map { .literal($0) } ?? .zeros
      literal = nil
    }
    if kind == .const, literal == nil {
      diagnostics.add(.badLiteral("constant '\(name)' needs a value: 'const \(name) = 2'", at: nameRange))
      _ = bind(name, nil, at: nameRange)
      return
    }
    let node = leaf(kind, name, finalShape, literal)
    guard bind(name, node, at: nameRange) else { return }
    declarations.append(
      Declaration(
        name: name, kind: kind, node: node, shape: finalShape, initializer: initializer,
        defaultValue: kind == .const ? nil : literal, location: nameRange))
  }

  func dimension(_ syntax: DimensionSyntax) -> Dim {
    switch syntax.kind {
    case .number(let n): .fixed(n)
    case .symbol(let s): .symbol(s)
    }
  }

  /// Emits the leaf node of a declaration.
  func leaf(_ kind: DeclarationKind, _ name: String, _ shape: Shape, _ literal: Tensor?) -> NodeID {
    let node: Value
    switch kind {
    case .const: node = builder.constant(literal ?? Tensor(0))
    case .param: node = builder.apply(Op.param, [], Attributes([("name", .string(name)), ("shape", .shape(shape))]))
    default: node = builder.apply(Op.input, [], Attributes([("name", .string(name)), ("shape", .shape(shape))]))
    }
    if builder[node.id].name == nil { builder.rename(node.id, name) }
    return node.id
  }

  /// A literal given for a declared shape: equal shapes, a scalar that fills the shape, or data
  /// rows that bind the batch dimension (`input X[N, 2] = [[0, 0], [0, 1]]`).
  mutating func fit(_ tensor: Tensor, to shape: Shape, _ range: SourceRange) -> Tensor? {
    if tensor.isScalar, let sizes = shape.concrete { return Tensor(repeating: tensor.scalars[0], shape: sizes) }
    let matches = tensor.rank == shape.rank && zip(tensor.shape, shape.dims).allSatisfy { size, dim in
      dim.value.map { $0 == size } ?? true
    }
    guard matches else {
      diagnostics.add(.shapeMismatch("the value", declared: shape.description, found: Shape(tensor.shape).description, at: range))
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
      let numbers = arguments.map { evaluateNumber(value, $0.value) }
      if numbers.contains(where: { $0 == nil }) { return nil }
      let args = numbers.compactMap { $0 }
      switch (callee, args.count) {
      case ("uniform", 2):
        guard args[0] < args[1] else {
          diagnostics.add(.badInitializer("'uniform' needs low < high, got \(TensorFormat.number(args[0])) and \(TensorFormat.number(args[1]))", at: root.range))
          return .zeros
        }
        return .uniform(low: args[0], high: args[1])
      case ("normal", 2):
        guard args[1] >= 0 else {
          diagnostics.add(.badInitializer("'normal' needs a standard deviation >= 0, got \(TensorFormat.number(args[1]))", at: root.range))
          return .zeros
        }
        return .normal(mean: args[0], std: args[1])
      case ("he", 0): return .he
      case ("glorot", 0), ("xavier", 0): return .glorot
      case ("zeros", 0): return .zeros
      case ("ones", 0): return .ones
      case ("uniform", _), ("normal", _):
        diagnostics.add(.wrongArgumentCount(callee, expected: "2 numbers", got: args.count, at: root.range))
        return .zeros
      default:
        return nil
      }
    default:
      return nil
    }
  }
}
