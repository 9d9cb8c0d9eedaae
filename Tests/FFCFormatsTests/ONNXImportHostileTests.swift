import Foundation
import Testing

@testable import FFCFormats

/// Models a hostile or careless writer could make, each refused with a message saying what is
/// wrong instead of becoming a program that is silently different or does not compile.
@Suite struct ONNXImportHostileTests {
  func failure(_ model: ONNXModel) -> String {
    do {
      _ = try ONNXImport.program(model, loss: nil)
      return "imported"
    } catch {
      return error.message
    }
  }

  /// Two tensors under one name would be two tensors under one key in the safetensors file.
  @Test func twoInitializersOfOneNameAreAnError() throws {
    var model = try ONNXImportTests.model("mlp_gemm")
    model.graph.initializers.append(model.graph.initializers[0])
    #expect(failure(model) == "two initializers are named 'fc1.weight'")
  }

  @Test func aValueMadeTwiceIsAnError() throws {
    var model = try ONNXImportTests.model("mlp_gemm")
    model.graph.nodes.insert(model.graph.nodes[1], at: 2)
    #expect(failure(model).hasSuffix("which the model already has"), "\(failure(model))")
  }

  /// The language's sizes start at 1, so a 0-sized tensor or input has no program.
  @Test func aZeroSizedTensorOrInputIsAnError() throws {
    var model = try ONNXImportTests.model("mlp_gemm")
    model.graph.initializers[1].dims = [0]
    model.graph.initializers[1].storage = .raw([])
    #expect(failure(model).contains("'fc1.bias' has the shape [0], with a dimension of size 0"))
    model = try ONNXImportTests.model("mlp_gemm")
    model.graph.inputs[0].shape = [.parameter("batch_size"), .value(0)]
    #expect(failure(model).contains("input 'input' has a dimension of size 0"))
  }

  @Test func aNonFiniteAttributeIsAnError() throws {
    var model = try ONNXImportTests.model("mlp_gemm")
    model.graph.nodes[1].opType = "LeakyRelu"
    model.graph.nodes[1].attributes = [ONNXAttribute("alpha", .float(.nan))]
    #expect(failure(model).contains("attribute 'alpha' of node '/act/Relu' is nan"))
  }

  /// Dropout in training mode drops values at random: only a constant false passes them on.
  @Test func dropoutInTrainingModeIsAnError() throws {
    var model = try ONNXImportTests.model("mlp_gemm")
    model.graph.nodes[1].opType = "Dropout"
    model.graph.nodes[1].inputs += ["", "training"]
    #expect(failure(model).contains("its training_mode 'training' is not a constant false"))
    model.graph.initializers.append(
      ONNXTensor(name: "training", dataType: 9, dims: [], storage: .raw([0])))
    #expect(failure(model) == "imported")
    model.graph.initializers[model.graph.initializers.count - 1].storage = .raw([1])
    #expect(failure(model).contains("not a constant false"))
  }

  /// A tensor name the safetensors header or a string of the language cannot hold is stored
  /// under the parameter's name instead.
  @Test func tensorNamesTheFileCannotHoldBecomeTheProgramsNames() throws {
    var model = try ONNXImportTests.model("mlp_gemm")
    for (index, name) in ["__metadata__", "a\nb", "c\u{2028}d"].enumerated() {
      let old = model.graph.initializers[index].name
      model.graph.initializers[index].name = name
      for n in model.graph.nodes.indices {
        model.graph.nodes[n].inputs = model.graph.nodes[n].inputs.map { $0 == old ? name : $0 }
      }
    }
    let program = try ONNXImport.program(model, loss: nil)
    #expect(program.parameters.map(\.tensorName) == ["metadata__", "a_b", "c_d", "fc2.bias"])
    let text = program.text(value: ImportedProgram.reference(toFile: "m.safetensors"))
    #expect(text.contains("load(\"m.safetensors\", \"metadata__\")") && !text.contains("a\nb"))
  }
}
