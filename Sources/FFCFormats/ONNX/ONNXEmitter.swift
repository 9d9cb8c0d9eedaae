import FFCTensor

/// Builds an ONNX graph node by node: fresh value names, constants as initializers, and the
/// runtime shape tensors that symbolic dimensions (`N`) need, read from the graph inputs that
/// carry them.
struct ONNXEmitter {
  private(set) var nodes: [ONNXNode] = []
  private(set) var initializers: [ONNXTensor] = []
  /// For each shape symbol, a graph input and the axis where it has that size.
  var symbolSources: [String: (input: String, axis: Int)] = [:]
  private var counter = 0
  private var scalarConstants: [UInt32: String] = [:]
  private var symbolSizes: [String: String] = [:]

  /// A value name no program name can take: ffc names never contain '%'.
  mutating func freshName() -> String {
    counter += 1
    return "%\(counter)"
  }

  /// Adds one node and returns the name of its (single) output.
  @discardableResult
  mutating func emit(
    _ opType: String, _ inputs: [String], _ attributes: [ONNXAttribute] = [],
    output: String? = nil
  ) -> String {
    let name = output ?? freshName()
    nodes.append(ONNXNode(opType, inputs: inputs, outputs: [name], attributes: attributes))
    return name
  }

  mutating func addInitializer(_ tensor: ONNXTensor) {
    initializers.append(tensor)
  }

  /// An f32 scalar constant (one initializer per distinct value).
  mutating func scalar(_ value: Float) -> String {
    if let known = scalarConstants[value.bitPattern] { return known }
    let name = freshName()
    initializers.append(.float(name, dims: [], [value]))
    scalarConstants[value.bitPattern] = name
    return name
  }

  mutating func floats(_ values: [Float], dims: [Int]) -> String {
    let name = freshName()
    initializers.append(.float(name, dims: dims, values))
    return name
  }

  /// A 1-D int64 constant (axes, shapes, pads); `dims: []` for a scalar.
  mutating func int64s(_ values: [Int], dims: [Int]? = nil) -> String {
    let name = freshName()
    initializers.append(.int64(name, dims: dims ?? [values.count], values.map(Int64.init)))
    return name
  }

  /// A 1-D int64 tensor holding `shape`, its symbolic sizes read from the inputs at run time.
  mutating func shapeTensor(_ shape: Shape) throws(ONNXExportError) -> String {
    if let sizes = shape.concrete { return int64s(sizes) }
    var pieces: [String] = []
    for dim in shape.dims {
      switch dim {
      case .fixed(let n): pieces.append(int64s([n]))
      case .symbol(let symbol): pieces.append(try size(of: symbol))
      }
    }
    return emit("Concat", pieces, [ONNXAttribute("axis", .int(0))])
  }

  /// A 1-element int64 tensor holding a symbol's size, taken from an input's shape once.
  mutating func size(of symbol: String) throws(ONNXExportError) -> String {
    if let known = symbolSizes[symbol] { return known }
    guard let source = symbolSources[symbol] else {
      throw ONNXExportError("the size '\(symbol)' is not the size of any input", location: nil)
    }
    let name = emit(
      "Shape", [source.input],
      [ONNXAttribute("start", .int(source.axis)), ONNXAttribute("end", .int(source.axis + 1))])
    symbolSizes[symbol] = name
    return name
  }
}

extension ONNXAttribute {
  static func int(_ name: String, _ value: Int) -> ONNXAttribute {
    ONNXAttribute(name, .int(value))
  }
  static func ints(_ name: String, _ value: [Int]) -> ONNXAttribute {
    ONNXAttribute(name, .ints(value))
  }
  static func float(_ name: String, _ value: Double) -> ONNXAttribute {
    ONNXAttribute(name, .float(Float(value)))
  }
}
