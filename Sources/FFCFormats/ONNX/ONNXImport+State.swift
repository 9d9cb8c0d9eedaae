/// The translation of one model: what each ONNX value is called in the program and its shape.
struct ImportState {
  typealias Dims = [ONNXValueInfo.Dimension]

  let model: ONNXModel
  var program = ImportedProgram()
  /// Each ONNX value's name in the program, and its shape.
  var names: [String: String] = [:]
  var shapes: [String: Dims] = [:]
  /// Constant tensors (initializers, Constant nodes) by ONNX name, for shape operands.
  var constants: [String: ONNXTensor] = [:]
  var taken: Set<String> = []

  init(model: ONNXModel) { self.model = model }

  /// A fresh program name for an ONNX name.
  mutating func claim(_ onnxName: String) -> String {
    let base = ONNXImport.identifier(onnxName)
    var name = base
    var suffix = 1
    while taken.contains(name) {
      name = "\(base)_\(suffix)"
      suffix += 1
    }
    taken.insert(name)
    return name
  }

  /// Graph inputs (not initializers) as `input`s, initializers as `param`s.
  mutating func declare() throws(ONNXFormatError) {
    let graph = model.graph
    let opset = model.opsets.first { $0.domain.isEmpty || $0.domain == "ai.onnx" }?.version ?? 0
    program.header = [
      "# Imported from ONNX (producer '\(model.producerName)', opset \(opset)) by ffc import."
    ]
    for tensor in graph.initializers {
      guard constants[tensor.name] == nil else {
        throw ONNXFormatError("two initializers are named '\(tensor.name)'")
      }
      constants[tensor.name] = tensor
    }
    for input in graph.inputs where constants[input.name] == nil {
      guard
        input.elementType == ONNXDataType.float.rawValue
          || input.elementType == ONNXDataType.double.rawValue
      else {
        throw ONNXFormatError(
          "input '\(input.name)' has element type \(input.elementType); ffc imports f32 and f64 inputs"
        )
      }
      guard let shape = input.shape else {
        throw ONNXFormatError("input '\(input.name)' has no shape")
      }
      for case .value(let size) in shape where size < 1 {
        throw ONNXFormatError(
          "input '\(input.name)' has a dimension of size \(size); ffc's sizes start at 1")
      }
      let name = claim(input.name)
      names[input.name] = name
      shapes[input.name] = shape
      program.inputs.append("input \(name)\(dimsText(shape))")
    }
  }

  /// `[N, 784]`: a named dimension as a symbol, an unnamed one as `N`.
  func dimsText(_ dims: Dims) -> String {
    guard !dims.isEmpty else { return "" }
    return "["
      + dims.map { dim -> String in
        switch dim {
        case .value(let n): String(n)
        case .parameter(let s): ONNXImport.identifier(s)
        case .unknown: "N"
        }
      }.joined(separator: ", ") + "]"
  }

  /// The program's name for an operand, declaring an initializer as a `param` at its first use.
  mutating func operand(_ onnxName: String, of node: String) throws(ONNXFormatError) -> String {
    if let name = names[onnxName] { return name }
    guard let tensor = constants[onnxName] else {
      throw ONNXFormatError("node '\(node)' reads '\(onnxName)', which no earlier node makes")
    }
    let values = try tensor.floatValues()
    guard !tensor.dims.contains(0) else {
      throw ONNXFormatError(
        "tensor '\(onnxName)' has the shape \(tensor.dims), with a dimension of size 0; ffc's sizes start at 1"
      )
    }
    // A bias written [1, K] is a [K] vector to the language, which broadcasts it over the rows.
    var dims = tensor.dims
    if dims.count == 2 && dims[0] == 1 { dims.removeFirst() }
    let name = claim(onnxName)
    program.parameters.append(
      ImportedParameter(name: name, sourceName: onnxName, shape: dims, values: values))
    names[onnxName] = name
    shapes[onnxName] = dims.map { .value($0) }
    return name
  }

  /// The graph's outputs, and a loss when asked for.
  mutating func declareOutputs(loss: ImportedLoss?) throws(ONNXFormatError) {
    for output in model.graph.outputs {
      guard let name = names[output.name] else {
        throw ONNXFormatError("output '\(output.name)' is made by no node")
      }
      let exported = ONNXImport.identifier(output.name)
      program.statements.append(
        exported == name ? "output \(name)" : "output \(claim(output.name)) = \(name)")
    }
    guard let loss, let first = model.graph.outputs.first, let value = names[first.name] else {
      return
    }
    let shape = shapes[first.name] ?? []
    let target = claim("y")
    switch loss {
    case .mse:
      program.inputs.append("target \(target)\(dimsText(shape))")
      program.statements.append("loss \(claim("L")) = mse(\(value), \(target))")
    case .crossEntropy:
      program.inputs.append("label \(target)\(dimsText(Array(shape.dropLast())))")
      program.statements.append(
        "loss \(claim("L")) = softmax_cross_entropy(\(value), \(target))")
    }
  }
}
