import Foundation
import Testing

@testable import FFCFormats

/// The models samples/onnx/import_check.py built with onnx.helper in torch.onnx.export's shapes,
/// read by ffc's own protobuf reader and imported.
@Suite struct ONNXImportTests {
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("samples/onnx/fixtures")

  static func model(_ name: String) throws -> ONNXModel {
    let data = try Data(contentsOf: fixtures.appendingPathComponent(name + ".onnx"))
    return try ONNXModel(decoding: [UInt8](data))
  }

  @Test func aModelWrittenByTheONNXPackageIsRead() throws {
    let model = try Self.model("mlp_gemm")
    #expect(model.producerName == "pytorch")
    #expect(model.opsets.first?.version == 17)
    #expect(model.graph.inputs.first?.shape == [.parameter("batch_size"), .value(4)])
    #expect(model.graph.nodes.map(\.opType) == ["Gemm", "Relu", "Gemm", "LogSoftmax"])
    #expect(model.graph.nodes[0].attribute("transB") == .int(1))
    let weight = try #require(model.graph.initializers.first { $0.name == "fc1.weight" })
    #expect(weight.dims == [8, 4])
    #expect(try weight.floatValues().count == 32)
  }

  @Test func aGemmMLPBecomesAProgram() throws {
    let program = try ONNXImport.program(try Self.model("mlp_gemm"), loss: .crossEntropy)
    #expect(program.inputs == ["input input_[batch_size, 4]", "label y[batch_size]"])
    #expect(program.parameters.map(\.name) == ["fc1_weight", "fc1_bias", "fc2_weight", "fc2_bias"])
    #expect(
      program.parameters.map(\.sourceName) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])
    #expect(
      program.statements == [
        "fc1_Gemm_output_0 = input_ @ fc1_weight.T + fc1_bias",
        "act_Relu_output_0 = relu(fc1_Gemm_output_0)",
        "fc2_Gemm_output_0 = act_Relu_output_0 @ fc2_weight.T + fc2_bias",
        "output_ = log_softmax(fc2_Gemm_output_0, axis=1)",
        "output output_",
        "loss L = softmax_cross_entropy(output_, y)",
      ])
  }

  /// The form `ffc import` writes for a parameter whose tensor goes to the safetensors file.
  @Test func aParameterCanBeWrittenAsAReferenceToItsTensor() throws {
    let program = try ONNXImport.program(try Self.model("mlp_gemm"), loss: nil)
    let text = program.text(value: ImportedProgram.reference(toFile: "mlp_gemm.safetensors"))
    #expect(
      text.contains("param fc1_weight[8, 4] = load(\"mlp_gemm.safetensors\", \"fc1.weight\")"))
    #expect(ImportedProgram.quoted("a\"b") == "\"a\\\"b\"")
  }

  @Test func valuesThatPassThroughAreSecondNames() throws {
    let program = try ONNXImport.program(try Self.model("mlp_matmul"), loss: nil)
    let text = program.statements.joined(separator: "\n")
    for skipped in ["Flatten", "Dropout", "Identity", "Reshape", "Constant"] {
      #expect(!text.contains(skipped + "_output"), "\(skipped) is not a statement")
    }
    #expect(text.contains("leaky_relu(l1_Add_output_0, 0.2)"))
    #expect(text.contains("probabilities = sigmoid(act2_Tanh_output_0)"))
  }

  @Test func anUnsupportedOperatorIsNamedWithItsNode() throws {
    var model = try Self.model("mlp_gemm")
    model.graph.nodes[1].opType = "Conv"
    #expect {
      try ONNXImport.program(model, loss: nil)
    } throws: { error in
      "\(error)".contains("node '/act/Relu': operator 'Conv' is not supported")
    }
  }

  /// Sizes that overflow or disagree with the data are errors, not traps.
  @Test func impossibleTensorSizesAreErrors() {
    let tensors = [
      ONNXTensor(name: "w", dataType: 1, dims: [Int.max / 2, 4], storage: .raw([])),
      ONNXTensor(name: "w", dataType: 1, dims: [-1], storage: .raw([])),
      ONNXTensor(name: "w", dataType: 1, dims: [2], storage: .raw([0, 0, 0])),
      ONNXTensor(name: "w", dataType: 1, dims: [3], storage: .floats([1, 2])),
      ONNXTensor(name: "w", dataType: 8, dims: [1], storage: .raw([0])),
    ]
    for tensor in tensors {
      #expect(throws: ONNXFormatError.self) { try tensor.floatValues() }
    }
  }

  /// Every prefix of a model is refused with a message, never read past its end.
  @Test func everyTruncationIsAnError() throws {
    let data = [UInt8](try Data(contentsOf: Self.fixtures.appendingPathComponent("mlp_gemm.onnx")))
    for length in 0..<data.count {
      let prefix = Array(data[..<length])
      do {
        let model = try ONNXModel(decoding: prefix)
        _ = try? ONNXImport.program(model, loss: nil)
      } catch {}
    }
  }
}
