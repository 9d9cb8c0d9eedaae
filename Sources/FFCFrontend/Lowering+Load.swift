import FFCDiagnostics
import FFCFormats
import FFCIR

extension Lowering {
  /// Whether the expression at `root` is a `load(...)` call.
  func isLoad(_ e: Expression, root: Int) -> Bool {
    if case .call("load", _) = e.nodes[root].kind { true } else { false }
  }

  /// `load("w.safetensors")` (the tensor named `defaultName`) or `load("w.safetensors", "fc1")`:
  /// the tensor's values, checked against `shape` when it is known. Errors point at the call and
  /// name the file; nil after one.
  mutating func loadTensor(_ e: Expression, root: Int, defaultName: String, shape: Shape?)
    -> Tensor?
  {
    switch loadValue(e, root: root, defaultName: defaultName, shape: shape) {
    case .literal(let tensor)?: tensor
    case .stored(let stored)?: stored.tensor()
    default: nil
    }
  }

  /// As `loadTensor`, but a tensor in a file on disk stays there (`Initializer.stored`) until a
  /// buffer is filled from it; so does a tensor of a program being checked before its weights file
  /// is written (the value being saved).
  mutating func loadValue(_ e: Expression, root: Int, defaultName: String, shape: Shape?)
    -> Initializer?
  {
    let call = e.nodes[root]
    guard case .call(_, var arguments) = call.kind else { return nil }
    // `digest="…"` (written by `train --save`): the weights file must be the one saved with the
    // program.
    var digest: String?
    if let index = arguments.firstIndex(where: { $0.label == "digest" }) {
      guard case .string(let text) = e.nodes[arguments[index].value].kind else {
        diagnostics.add(
          .loadUsage(
            "'digest' of 'load' is a string, as 'train --save' writes it", at: call.range))
        return nil
      }
      digest = text
      arguments.remove(at: index)
    }
    let strings = arguments.map { argument -> String? in
      if argument.label == nil, case .string(let s) = e.nodes[argument.value].kind {
        s
      } else {
        nil
      }
    }
    guard (1...2).contains(arguments.count), strings.allSatisfy({ $0 != nil }) else {
      diagnostics.add(
        .loadUsage(
          "'load' takes a file name and, optionally, a tensor name, as strings", at: call.range))
      return nil
    }
    let fileName = strings[0]!
    let tensorName = strings.count == 2 ? strings[1]! : defaultName
    guard let weights = weightFile(fileName, at: call.range) else { return nil }
    guard let found = weights.shape(tensorName) else {
      diagnostics.add(
        .loadMissing(
          tensorName, file: fileName,
          suggestion: EditDistance.closest(to: tensorName, in: weights.names),
          available: weights.names.count, at: call.range))
      return nil
    }
    if let digest, let recorded = weights.digest, recorded != digest {
      diagnostics.add(
        .loadDigest(file: fileName, expected: digest, found: recorded, at: call.range))
      return nil
    }
    if let shape, shape.concrete != found {
      diagnostics.add(
        .loadShape(
          tensorName, file: fileName, found: Shape(found).description, parameter: defaultName,
          declared: shape.description, at: call.range))
      return nil
    }
    let bytes = file.bytes
    let range = call.range
    let source =
      range.start.offset <= range.end.offset && range.end.offset <= bytes.count
      ? String(decoding: bytes[range.start.offset..<range.end.offset], as: UTF8.self)
      : "load(\"\(fileName)\")"
    return weights.value(tensorName, source: source)
  }

  /// The file `name` (relative to the program's directory), opened once per compilation.
  private mutating func weightFile(_ name: String, at range: SourceRange) -> WeightFile? {
    if let tensors = weights.pending[name] { return .pending(tensors) }
    if let opened = openedWeights[name] { return opened.map(WeightFile.disk) }
    guard !name.isEmpty else {
      diagnostics.add(.loadUsage("'load' needs a file name", at: range))
      return nil
    }
    do {
      let file = try SafeTensorsFile(Self.path(name, besides: file.path), displayName: name)
      openedWeights[name] = file
      return .disk(file)
    } catch {
      diagnostics.add(.loadFile(error.description, at: range))
      openedWeights[name] = .some(nil)
      return nil
    }
  }

  /// A relative file name in a program is relative to the program's directory.
  static func path(_ name: String, besides program: String) -> String {
    guard !name.hasPrefix("/"), let slash = program.lastIndex(of: "/") else { return name }
    return String(program[...slash]) + name
  }
}
