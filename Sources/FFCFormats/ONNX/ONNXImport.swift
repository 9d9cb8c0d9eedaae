import FFCIR
import FFCTensor

/// A parameter of an imported program: its name in the program, its tensor's name in the model
/// (`fc1.weight`), its shape and values.
public struct ImportedParameter: Sendable {
  public let name: String
  public let sourceName: String
  public let shape: [Int]
  public let values: [Float]

  /// Its tensor's name in the safetensors file: the model's own (`fc1.weight`), unless a string
  /// of the language or a safetensors key cannot hold it (`__metadata__` is the header's own
  /// entry; a control character or line separator ends a string), then the program's name.
  public var tensorName: String {
    let plain =
      !sourceName.isEmpty && sourceName != "__metadata__"
      && sourceName.unicodeScalars.allSatisfy { scalar in
        scalar.properties.generalCategory != .control && scalar != "\u{2028}"
          && scalar != "\u{2029}"
      }
    return plain ? sourceName : name
  }
}

/// A loss to add to an imported program, so `ffc compile --emit-grad` and `ffc check` have a
/// gradient to show: against a target of the output's shape, or class labels of its rows.
public enum ImportedLoss: String, Sendable, CaseIterable {
  case mse
  case crossEntropy = "cross_entropy"
}

/// An ONNX model as an ffc program: its declarations and statements, the parameters apart, so the
/// caller chooses how a parameter's value is written (a literal, or a reference to a file).
public struct ImportedProgram: Sendable {
  public var header: [String] = []
  public var inputs: [String] = []
  public var parameters: [ImportedParameter] = []
  public var statements: [String] = []

  /// The program's text; `value` writes each parameter's value (what follows `param W[..] = `).
  public func text(value: (ImportedParameter) -> String) -> String {
    let parameterLines = parameters.map { parameter in
      "param \(parameter.name)\(ONNXImport.shapeText(parameter.shape)) = \(value(parameter))"
    }
    return (header + [""] + inputs + [""] + parameterLines + [""] + statements)
      .joined(separator: "\n") + "\n"
  }

  /// A parameter's value as a reference to its tensor in a safetensors file beside the program,
  /// `load("model.safetensors", "fc1.weight")` (the syntax of issue 16's weights work; the
  /// caller writes the file). With `digest`, each call names it (`digest="…"`), as
  /// `train --save` does, so the program refuses a weights file from another import.
  public static func reference(toFile file: String, digest: String? = nil)
    -> @Sendable (ImportedParameter) -> String
  {
    let tail = digest.map { ", digest=\(quoted($0))" } ?? ""
    return { parameter in "load(\(quoted(file)), \(quoted(parameter.tensorName))\(tail))" }
  }

  /// A string literal: backslashes and quotes escaped.
  static func quoted(_ text: String) -> String {
    var out = "\""
    for character in text {
      if character == "\\" || character == "\"" { out.append("\\") }
      out.append(character)
    }
    return out + "\""
  }

  /// A parameter's values as a literal of the language, each f32 in its shortest form.
  public static func literal(_ parameter: ImportedParameter) -> String {
    let scalars = parameter.values.map { Double("\($0)") ?? Double($0) }
    return TensorFormat.literal(Tensor(shape: parameter.shape, scalars: scalars))
  }
}

/// Turns an MLP as `torch.onnx.export` writes it into an ffc program: Gemm or MatMul and Add,
/// the activations ffc has, Softmax and LogSoftmax, and the ops that only pass a value on in
/// inference (Identity, Dropout, Flatten and Reshape of a value already of that shape). Any other
/// operator is an error naming the node.
public enum ONNXImport {
  public static func program(_ model: ONNXModel, loss: ImportedLoss?) throws(ONNXFormatError)
    -> ImportedProgram
  {
    var state = ImportState(model: model)
    try state.declare()
    for (index, node) in model.graph.nodes.enumerated() {
      try state.translate(node, index: index)
    }
    try state.declareOutputs(loss: loss)
    return state.program
  }

  static func shapeText(_ dims: [Int]) -> String {
    dims.isEmpty ? "" : "[" + dims.map(String.init).joined(separator: ", ") + "]"
  }

  /// A model's name as an identifier of the language: other characters become `_`, and a keyword
  /// or an op's name gains a `_`.
  static func identifier(_ name: String) -> String {
    var text = String(
      name.unicodeScalars.map { scalar -> Character in
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar))
          ? Character(scalar) : "_"
      })
    while text.hasPrefix("_") && text.count > 1 { text.removeFirst() }
    if text.isEmpty || text.first!.isNumber { text = "v" + text }
    let reserved = ["input", "target", "label", "param", "const", "output", "loss"]
    if reserved.contains(text) || text == "dense" || OpRegistry.callableOp(text) != nil
      || OpRegistry.composite(text) != nil
    {
      text += "_"
    }
    return text
  }
}
