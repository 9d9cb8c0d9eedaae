/// One node of the model as a statement of the program (or as a second name for its operand).
extension ImportState {
  static let activations: [String: String] = [
    "Relu": "relu", "Tanh": "tanh", "Sigmoid": "sigmoid", "Softplus": "softplus",
  ]
  static let arithmetic: [String: String] = ["Add": "+", "Sub": "-", "Mul": "*", "Div": "/"]
  static let supported =
    "Gemm, MatMul, Add, Sub, Mul, Div, Relu, LeakyRelu, Tanh, Sigmoid, Softplus, Softmax, "
    + "LogSoftmax, Flatten, Reshape, Identity, Dropout, Constant"

  mutating func translate(_ node: ONNXNode, index: Int) throws(ONNXFormatError) {
    let label = node.name.isEmpty ? "#\(index)" : "'\(node.name)'"
    guard node.domain.isEmpty || node.domain == "ai.onnx" else {
      throw ONNXFormatError(
        "node \(label): operator '\(node.domain).\(node.opType)' is not a standard ONNX operator")
    }
    guard let output = node.outputs.first, !output.isEmpty else {
      throw ONNXFormatError("node \(label) (\(node.opType)) has no output")
    }
    if node.opType == "Constant" {
      guard case .tensor(let tensor)? = node.attribute("value") else {
        throw ONNXFormatError("node \(label): ffc imports a Constant only with a tensor 'value'")
      }
      constants[output] = tensor
      return
    }
    // Reshape's shape and Dropout's ratio are settings, not values of the program.
    let values =
      ["Reshape", "Dropout"].contains(node.opType) ? node.inputs.prefix(1) : node.inputs[...]
    var operands: [String] = []
    for input in values where !input.isEmpty {
      operands.append(try operand(input, of: label))
    }
    let dims = node.inputs.first.flatMap { shapes[$0] } ?? []
    let (expression, shape) = try self.expression(node, operands, dims, label: label)
    // Each value is made once (ONNX graphs are in single assignment): a second maker is an
    // error, not a silent choice of one of them.
    if names[output] != nil || constants[output] != nil {
      throw ONNXFormatError("node \(label) makes '\(output)', which the model already has")
    }
    if let expression {
      let name = claim(output)
      program.statements.append("\(name) = \(expression)")
      names[output] = name
    } else {
      names[output] = operands[0]  // passes its operand on: a second name, no statement
    }
    shapes[output] = shape
  }

  /// The expression a node computes and its shape; nil for a node that passes its operand on.
  func expression(_ node: ONNXNode, _ x: [String], _ dims: Dims, label: String)
    throws(ONNXFormatError) -> (String?, Dims)
  {
    func need(_ count: Int) throws(ONNXFormatError) {
      guard x.count >= count else {
        throw ONNXFormatError(
          "node \(label) (\(node.opType)) needs \(count) operands, has \(x.count)")
      }
    }
    let op = node.opType
    if let function = Self.activations[op] {
      try need(1)
      return ("\(function)(\(x[0]))", dims)
    }
    if let symbol = Self.arithmetic[op] {
      try need(2)
      let other = shapes[node.inputs[1]] ?? []
      return ("\(x[0]) \(symbol) \(x[1])", dims.count >= other.count ? dims : other)
    }
    switch op {
    case "Gemm":
      try need(2)
      return try gemm(node, x, label: label)
    case "MatMul":
      try need(2)
      let b = shapes[node.inputs[1]] ?? []
      return ("\(x[0]) @ \(x[1])", Array(dims.dropLast()) + Array(b.dropFirst()))
    case "LeakyRelu":
      try need(1)
      return ("leaky_relu(\(x[0]), \(try number(node, "alpha", 0.01)))", dims)
    case "Softmax", "LogSoftmax":
      try need(1)
      let axis = try int(node, "axis", defaultAxis(dims))
      let function = op == "Softmax" ? "softmax" : "log_softmax"
      return ("\(function)(\(x[0]), axis=\(axis))", dims)
    case "Identity", "Dropout":
      try need(1)
      // Dropout's third operand, training_mode, makes it random: only a constant false is the
      // inference form that passes its operand on.
      if op == "Dropout", node.inputs.count > 2, !node.inputs[2].isEmpty,
        !(constants[node.inputs[2]].map(Self.isFalse) ?? false)
      {
        throw ONNXFormatError(
          "node \(label): ffc imports Dropout in inference form, but its training_mode '\(node.inputs[2])' is not a constant false"
        )
      }
      if node.outputs.count > 1 && !node.outputs[1].isEmpty {
        throw ONNXFormatError(
          "node \(label): ffc imports Dropout in inference form, without its mask")
      }
      return (nil, dims)
    case "Flatten":
      try need(1)
      let axis = try int(node, "axis", 1)
      guard dims.count <= 2 && axis == 1 || dims.count == axis + 1 else {
        throw ONNXFormatError(
          "node \(label): Flatten of a rank-\(dims.count) value at axis \(axis) changes its shape, which ffc does not import"
        )
      }
      return (nil, dims)
    case "Reshape":
      try need(1)
      guard node.inputs.count >= 2 else {
        throw ONNXFormatError("node \(label): Reshape has no shape operand")
      }
      return (nil, try reshape(node, dims, label: label))
    default:
      throw ONNXFormatError(
        "node \(label): operator '\(op)' is not supported (ffc imports \(Self.supported))")
    }
  }

  /// Gemm: alpha · A' @ B' + beta · C, with A' and B' transposed as flagged.
  func gemm(_ node: ONNXNode, _ x: [String], label: String) throws(ONNXFormatError) -> (
    String?, Dims
  ) {
    let (ta, tb) = (try int(node, "transA", 0) != 0, try int(node, "transB", 0) != 0)
    let a = shapes[node.inputs[0]] ?? []
    let b = shapes[node.inputs[1]] ?? []
    guard a.count == 2, b.count == 2 else {
      throw ONNXFormatError("node \(label): Gemm needs two matrices")
    }
    var product = "\(x[0])\(ta ? ".T" : "") @ \(x[1])\(tb ? ".T" : "")"
    let alpha = try number(node, "alpha", 1)
    if alpha != "1.0" { product = "\(alpha) * (\(product))" }
    if x.count > 2 {
      let beta = try number(node, "beta", 1)
      product += beta == "1.0" ? " + \(x[2])" : " + \(beta) * \(x[2])"
    }
    return (product, [ta ? a[1] : a[0], tb ? b[0] : b[1]])
  }

  /// Reshape that keeps the shape (a [-1, K] or [0, K] of a value already [N, K]): a second name.
  func reshape(_ node: ONNXNode, _ dims: Dims, label: String) throws(ONNXFormatError) -> Dims {
    guard let target = constants[node.inputs[1]] else {
      throw ONNXFormatError("node \(label): ffc imports a Reshape only to a constant shape")
    }
    let sizes = try target.integerValues()
    let keeps =
      sizes.count == dims.count
      && zip(sizes, dims).allSatisfy { size, dim in
        size == -1 || size == 0 || dim == .value(size)
      } && sizes.filter { $0 == -1 }.count <= 1
    guard keeps else {
      throw ONNXFormatError(
        "node \(label): Reshape to \(sizes) changes the shape of its operand, which ffc does not import"
      )
    }
    return dims
  }

  /// Softmax's default axis: the last from opset 13, 1 before.
  func defaultAxis(_ dims: Dims) -> Int {
    let opset = model.opsets.first { $0.domain.isEmpty || $0.domain == "ai.onnx" }?.version ?? 18
    return opset >= 13 ? -1 : 1
  }

  func int(_ node: ONNXNode, _ name: String, _ value: Int) throws(ONNXFormatError) -> Int {
    switch node.attribute(name) {
    case nil: return value
    case .int(let x)?: return x
    default: throw ONNXFormatError("attribute '\(name)' of node '\(node.name)' is not an integer")
    }
  }

  /// A float attribute as the language writes it (`0.01`); the language has no NaN or infinity.
  func number(_ node: ONNXNode, _ name: String, _ value: Float) throws(ONNXFormatError) -> String {
    var x = value
    if case .float(let given)? = node.attribute(name) { x = given }
    guard x.isFinite else {
      throw ONNXFormatError(
        "attribute '\(name)' of node '\(node.name)' is \(x), not a finite number")
    }
    return "\(Double("\(x)") ?? Double(x))"
  }

  /// A boolean constant that holds only false (zeros), however the file stores it.
  static func isFalse(_ tensor: ONNXTensor) -> Bool {
    switch tensor.storage {
    case .raw(let bytes): bytes.allSatisfy { $0 == 0 }
    case .int64s(let x), .int32s(let x): x.allSatisfy { $0 == 0 }
    case .floats(let x): x.allSatisfy { $0 == 0 }
    case .doubles(let x): x.allSatisfy { $0 == 0 }
    }
  }
}
