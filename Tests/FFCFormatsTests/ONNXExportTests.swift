import FFCIR
import FFCTensor
import Testing

@testable import FFCFormats

/// The export as ffc's own reader sees it: names, named dimensions, initializers and operators.
@Suite struct ONNXExportTests {
  /// `input X[N, 3]`, `param W[3, 2]`, `output y = relu(X @ W)`, `loss L = sum(y)` with its
  /// gradient for W (a hand-made stand-in: the operator is transposed X times ones).
  static func graph() throws -> Graph {
    let builder = GraphBuilder()
    let x = builder.leaf(Op.input, name: "X", shape: Shape([.symbol("N"), 3]))
    let w = builder.leaf(Op.param, name: "W", shape: Shape([3, 2]))
    let y = builder.value(x).matmul(builder.value(w)).apply(Op.relu)
    let loss = y.sum()
    let gradient = builder.value(x).matmul(y.apply(Op.step), transposeA: true)
    return builder.graph(
      name: "tiny",
      declarations: [
        Declaration(name: "X", kind: .input, node: x, shape: Shape([.symbol("N"), 3])),
        Declaration(name: "W", kind: .param, node: w, shape: Shape([3, 2])),
      ],
      outputs: [NamedValue("y", try y.nodeID)], loss: NamedValue("L", try loss.nodeID),
      gradients: [Gradient(of: 1, try gradient.nodeID)])
  }

  static let weights = Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])

  static func exported(_ contents: ONNXExport.Contents) throws -> ONNXModel {
    let model = try ONNXExport.model(
      try graph(), contents: contents, parameters: [1: weights], producerVersion: "test")
    return try ONNXModel(decoding: model.encoded())
  }

  @Test func theForwardModelNamesItsValuesAfterTheProgram() throws {
    let model = try Self.exported(.forward)
    #expect(model.irVersion == ONNXExport.irVersion)
    #expect(model.opsets == [ONNXOpset(version: ONNXExport.opset)])
    #expect(model.graph.inputs == [ONNXValueInfo(name: "X", shape: [.parameter("N"), .value(3)])])
    #expect(model.graph.outputs == [ONNXValueInfo(name: "y", shape: [.parameter("N"), .value(2)])])
    #expect(model.graph.nodes.map(\.opType) == ["Gemm", "Relu", "Identity"])
    let w = try #require(model.graph.initializers.first { $0.name == "W" })
    #expect(w.dims == [3, 2])
    #expect(try w.floatValues() == [1, 2, 3, 4, 5, 6])
  }

  @Test func theGradientAndTheStepAreOutputsAndTheParametersInputs() throws {
    let model = try Self.exported(.trainStep(learningRate: 0.5))
    #expect(model.graph.outputs.map(\.name) == ["y", "L", "grad.W", "W.next"])
    #expect(model.graph.inputs.map(\.name) == ["X", "W", "lr"])
    let rate = try #require(model.graph.initializers.first { $0.name == "lr" })
    #expect(try rate.floatValues() == [0.5])
  }

  @Test func encodingThenDecodingGivesTheSameModel() throws {
    let model = try ONNXExport.model(
      try Self.graph(), contents: .gradients, parameters: [1: Self.weights],
      producerVersion: "test")
    #expect(try ONNXModel(decoding: model.encoded()) == model)
  }

  /// Every op is written to ONNX, except those made only to execute a graph (never exported).
  @Test func everyOpHasAnONNXForm() {
    for op in OpRegistry.all where !op.isLeaf && !op.traits.contains(.executionOnly) {
      #expect(ONNXOpTable.lowering(for: op) != nil, "'\(op.name)' has no ONNX form")
    }
  }

  @Test func anOpWithoutAnONNXFormIsAnErrorNamingIt() throws {
    let mystery = Op(
      name: "mystery", arity: 1, inferShape: { shapes, _ in shapes[0] },
      evaluate: { inputs, _, _ in inputs[0] }, vjp: nil)
    let builder = GraphBuilder()
    let x = builder.leaf(Op.input, name: "x", shape: Shape([2]))
    let y = try builder.apply(mystery, [builder.value(x)]).nodeID
    let graph = builder.graph(
      name: "m", declarations: [Declaration(name: "x", kind: .input, node: x, shape: Shape([2]))],
      outputs: [NamedValue("y", y)], loss: nil)
    #expect {
      try ONNXExport.model(graph, contents: .forward, parameters: [:], producerVersion: "")
    } throws: { error in
      "\(error)" == "'mystery' has no ONNX form that ffc can write"
    }
  }

  @Test func aGraphWithNothingToExportIsAnError() throws {
    let builder = GraphBuilder()
    let graph = builder.graph(name: "empty", declarations: [], outputs: [], loss: nil)
    #expect(throws: ONNXExportError.self) {
      try ONNXExport.model(graph, contents: .forward, parameters: [:], producerVersion: "")
    }
  }
}
