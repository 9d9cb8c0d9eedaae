import FFCDiagnostics
import FFCIR

/// `param b1.h.W[4, 8] = [[...]]` at the top level: the starting value of a parameter a function's
/// call made (named by the call's path, as in `--grads`). The body's line serves every call, so a
/// value for one call's parameter is given on a line of its own; `train --save` writes these.
struct ParameterOverride {
  let name: String
  let nameRange: SourceRange
  let shape: Shape?
  let initializer: Initializer
  /// The bytes of the value, which a later save replaces.
  let valueRange: SourceRange
}

extension Lowering {
  /// Reads an override line; it is applied once every call has made its parameters
  /// (`applyOverrides`), so it may stand anywhere in the program.
  mutating func declareOverride(
    _ name: String, nameRange: SourceRange, shape syntax: [DimensionSyntax]?, value: Expression?,
    statement: SourceRange
  ) {
    guard namePrefix.isEmpty else {
      diagnostics.add(.overrideInFunction(name, at: nameRange))
      return
    }
    guard let value else {
      diagnostics.add(.overrideWithoutValue(name, at: nameRange))
      return
    }
    if let previous = overrides.first(where: { $0.name == name }) {
      diagnostics.add(.overrideTwice(name, at: nameRange, previous: previous.nameRange))
      return
    }
    let shape = syntax.map { Shape($0.map(dimension)) }
    if let shape, let symbol = shape.symbols.first {
      diagnostics.add(
        .batchDimensionInParameter(
          name, symbol,
          at: syntax?.first { if case .symbol = $0.kind { true } else { false } }?.range
            ?? nameRange))
      return
    }
    let initializer: Initializer
    if let parsed = parseInitializer(value) {
      initializer = parsed
    } else if isLoad(value, root: value.root) {
      guard let tensor = loadTensor(value, root: value.root, defaultName: name, shape: shape)
      else { return }
      initializer = .literal(tensor)
    } else if var tensor = evaluateLiteral(value) {
      // A number for a shape too large to spread stays one number, as in a declaration.
      let large = tensor.isScalar && (shape?.elementCount ?? 0) > Self.largestFill
      if let shape, !large {
        guard let fitted = fit(tensor, to: shape, value.range) else { return }
        tensor = fitted
      }
      initializer = .literal(tensor)
    } else {
      return
    }
    overrides.append(
      ParameterOverride(
        name: name, nameRange: nameRange, shape: shape, initializer: initializer,
        valueRange: value.range))
  }

  /// Gives each override's parameter its value, after the whole program is lowered: the name must
  /// be that of a parameter a function's call made, and the shapes must agree.
  mutating func applyOverrides() {
    guard !overrides.isEmpty else { return }
    var byName: [String: Int] = [:]
    for (index, declaration) in declarations.enumerated() where declaration.kind == .param {
      byName[declaration.name] = byName[declaration.name] ?? index
    }
    for override in overrides {
      guard let index = byName[override.name] else {
        let made = declarations.indices.filter { valueSites[$0]?.startsLine == true }
        diagnostics.add(
          .overrideUnknown(
            override.name,
            suggestion: EditDistance.closest(
              to: override.name, in: made.map { declarations[$0].name }),
            at: override.nameRange))
        continue
      }
      let declaration = declarations[index]
      guard valueSites[index]?.startsLine == true else {
        diagnostics.add(
          .overrideNotMadeByCall(
            override.name, at: override.nameRange, declared: declaration.location))
        continue
      }
      let found: Shape? =
        override.shape
        ?? {
          if case .literal(let tensor) = override.initializer, !tensor.isScalar {
            return Shape(tensor.shape)
          }
          return nil
        }()
      if let found, found != declaration.shape {
        diagnostics.add(
          .shapeMismatch(
            "'\(override.name)'", declared: declaration.shape.description,
            found: found.description,
            at: override.shape == nil ? override.valueRange : override.nameRange
          )
          .replacingMessage(
            "'\(override.name)' has shape \(declaration.shape.description), but the override gives \(found.description)"
          ))
        continue
      }
      var initializer = override.initializer
      if case .literal(let tensor) = initializer, tensor.isScalar,
        let sizes = declaration.shape.concrete, !sizes.isEmpty,
        declaration.shape.elementCount ?? 0 <= Self.largestFill
      {
        initializer = .literal(Tensor(repeating: tensor.scalars[0], shape: sizes))
      }
      declarations[index] = Declaration(
        name: declaration.name, kind: declaration.kind, node: declaration.node,
        shape: declaration.shape, initializer: initializer,
        defaultValue: declaration.defaultValue, fanInAxis: declaration.fanInAxis,
        location: declaration.location)
      valueSites[index] = .replacing(override.valueRange)
    }
  }

  /// Where `train --save` writes the value of a parameter a function's call made: an override line
  /// of its own at the end of the program, until one exists (`applyOverrides` then points at it).
  func functionSite(_ name: String, _ shape: Shape) -> ValueSite? {
    guard !namePrefix.isEmpty else { return nil }
    let end = overrideOffset
    let dims = shape.rank == 0 ? "" : shape.description
    return ValueSite(
      range: end..<end, prefix: "param \(name)\(dims) = ", alignedWith: nil, startsLine: true)
  }

  /// Where override lines are added: the end of the text, before its last line break.
  static func overrideOffset(_ text: String) -> Int {
    let bytes = text.utf8
    var end = bytes.count
    if bytes.last == UInt8(ascii: "\n") {
      end -= 1
      if end > 0, bytes[bytes.index(bytes.startIndex, offsetBy: end - 1)] == UInt8(ascii: "\r") {
        end -= 1
      }
    }
    return end
  }
}
