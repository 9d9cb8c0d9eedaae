import FFCDiagnostics
import FFCIR
import FFCTensor

/// Why a graph cannot be written as ONNX, and where in the program.
public struct ONNXExportError: Error, Sendable, CustomStringConvertible {
  public let message: String
  public let location: SourceRange?
  public init(_ message: String, location: SourceRange?) {
    self.message = message
    self.location = location
  }
  public var description: String { message }
}

/// Writes an ffc graph as an ONNX model, node by node: inputs, targets and labels become graph
/// inputs (their symbolic sizes named dimensions), parameters and constants initializers, and
/// every other node the standard operators of `ONNXOpTable`. The exported values are the graph's
/// outputs named as the program names them; with gradients, also the loss (its program name) and
/// `grad.<param>` for each parameter; with a training step, also `<param>.next`, the parameter
/// after one SGD step, `<param> - lr · grad.<param>` (the parameters and `lr` are then graph
/// inputs too, defaulting to their initializers, so the step can be fed its own results).
public enum ONNXExport {
  public static let opset = 18
  /// The IR version of ONNX 1.13, the release that introduced opset 18.
  public static let irVersion = 8

  public enum Contents: Sendable, Equatable {
    case forward
    case gradients
    case trainStep(learningRate: Double)
  }

  /// The name of the learning-rate input of a training step.
  public static let learningRateName = "lr"

  /// `parameters`: each parameter's value, by its index in `graph.declarations`.
  public static func model(
    _ graph: Graph, contents: Contents, parameters: [Int: Tensor], producerVersion: String
  ) throws(ONNXExportError) -> ONNXModel {
    let roots = try exportedValues(graph, contents)
    var isTrainStep = false
    if case .trainStep = contents { isTrainStep = true }
    // A training step updates every parameter with a gradient, read or not by the other roots.
    let updated = isTrainStep ? graph.gradients.map { graph.parameter(of: $0).node } : []
    var writer = GraphWriter(
      graph: graph, needed: reachable(graph, from: roots.map(\.node) + updated))
    try writer.declareLeaves(parameters: parameters, trainStep: isTrainStep)
    try writer.lowerNodes()
    var outputs: [ONNXValueInfo] = []
    for root in roots {
      let value = try writer.name(of: root.node)
      writer.emitter.emit("Identity", [value], output: root.name)
      outputs.append(ONNXValueInfo(name: root.name, shape: dimensions(graph[root.node].shape)))
    }
    if case .trainStep(let rate) = contents {
      outputs += try writer.sgdStep(learningRate: rate)
    }
    let onnxGraph = ONNXGraph(
      name: graph.name, nodes: writer.emitter.nodes, initializers: writer.emitter.initializers,
      inputs: writer.inputs, outputs: outputs)
    try checkDistinctNames(onnxGraph)
    return ONNXModel(
      irVersion: irVersion, opsets: [ONNXOpset(version: opset)], producerName: "ffc",
      producerVersion: producerVersion, graph: onnxGraph)
  }

  /// The graph's values the model outputs, with their names.
  static func exportedValues(_ graph: Graph, _ contents: Contents) throws(ONNXExportError)
    -> [NamedValue]
  {
    if contents == .forward {
      if !graph.outputs.isEmpty { return graph.outputs }
      guard let loss = graph.loss else {
        throw ONNXExportError("the program has no 'output' and no 'loss' to export", location: nil)
      }
      return [loss]
    }
    guard let loss = graph.loss else {
      throw ONNXExportError("the gradient needs a 'loss', and the program has none", location: nil)
    }
    // `output e` and `loss e` name one value: it is output once.
    let lossOutput = graph.outputs.contains(loss) ? [] : [loss]
    return graph.outputs + lossOutput
      + graph.gradients.map { NamedValue("grad." + graph.parameter(of: $0).name, $0.node) }
  }

  /// Which nodes the roots read, directly or not (a backward sweep: nodes are in topological order).
  static func reachable(_ graph: Graph, from roots: [NodeID]) -> [Bool] {
    var needed = [Bool](repeating: false, count: graph.nodes.count)
    for root in roots { needed[root.index] = true }
    for index in graph.nodes.indices.reversed() where needed[index] {
      for input in graph.nodes[index].inputs { needed[input.index] = true }
    }
    return needed
  }

  static func dimensions(_ shape: Shape) -> [ONNXValueInfo.Dimension] {
    shape.dims.map { dim in
      switch dim {
      case .fixed(let n): .value(n)
      case .symbol(let s): .parameter(s)
      }
    }
  }

  /// Graph inputs, outputs and initializers share one namespace; two program names that meet in
  /// it (an output called `grad.W`, a parameter called `lr`) would make the model ambiguous.
  static func checkDistinctNames(_ graph: ONNXGraph) throws(ONNXExportError) {
    var seen = Set<String>()
    let inputNames = Set(graph.inputs.map(\.name))
    let names =
      graph.inputs.map(\.name) + graph.outputs.map(\.name)
      + graph.initializers.map(\.name).filter { !inputNames.contains($0) }
    for name in names where !seen.insert(name).inserted {
      throw ONNXExportError(
        "two values of the model would be named '\(name)'; rename one in the program",
        location: nil)
    }
  }
}
