import FFCFormats
import FFCFrontend
import FFCTensor
import Foundation

/// `ffc import`: an MLP exported to ONNX (by `torch.onnx.export`, say) as an ffc program, so
/// `ffc compile --emit-grad` shows its symbolic gradient and `ffc check` verifies it.
public enum ImportCommand: Command {
  public static let name = "import"
  public static let abstract = "turn an ONNX model of an MLP into a .ffn program"
  static let operands = "<model.onnx>"
  static let discussion = """
    Reads an ONNX model as torch.onnx.export writes an MLP (Gemm, or MatMul and Add; Relu,
    LeakyRelu, Tanh, Sigmoid, Softplus, Softmax, LogSoftmax; Flatten, Reshape, Identity and
    Dropout that keep the shape) and writes the same network as a program: the model's inputs
    as inputs (a named dimension as a symbolic size), its initializers as parameters, each node
    as a statement, its outputs as outputs. Any other operator is an error naming the node.
    Parameters of --save-weights elements or more are written to <file>.safetensors beside the
    program (under the model's names for them) and read by load("<file>.safetensors", "<name>",
    digest="..."), the digest tying the program to the file as train --save does; smaller ones
    stay literals.
    """
  static let epilogue = """
    exit codes: 0 success, 1 a model ffc cannot read or import, 2 a usage error, 3 an internal
    error
    """

  static let options: [any OptionDeclaration] = [
    Option.output.withHelp("write the program to <file> (required)"), Option.importLoss,
    Option.saveWeights.withHelp(
      """
      parameters of at least n elements go to <file>.safetensors beside the
      program (default 4096, as train --save; 0 puts every parameter there)
      """), Option.color, Option.help,
  ]

  public static func run(_ arguments: [String], _ io: inout CommandIO) throws -> ExitCode {
    guard let args = try scan(arguments, &io) else { return .success }
    let input = try singleInput(args)
    guard let output = args[.output] else {
      throw UsageError(
        "'import' needs the program file: -o <file.ffn>", usage: usage, helpTopic: name)
    }
    let weightsPath = SavedWeights.path(besides: output)
    var files = OutputFiles()
    files.input("the model", input)
    files.output(Option.output.key, output)
    files.output(Option.output.key, weightsPath)
    if let clash = files.clash(io) { throw UsageError(clash, usage: usage, helpTopic: name) }
    let color = useColor(args[.color], io)
    let program: ImportedProgram
    do throws(SafeFile.Failure) {
      let bytes = try SafeFile.readBytes(io.resolve(input), displayName: input)
      program = try translate([UInt8](bytes), from: input, loss: args[.importLoss])
    } catch {
      report(.cannotRead(error), files: [], useColor: color, io: &io)
      return .programError
    }
    let weights = weightsPath.map {
      ProgramWriter.WeightsFile(
        name: SavedWeights.name($0),
        minimumCount: args[.saveWeights] ?? SavedWeights.defaultMinimum)
    }
    let (text, tensors, digest) = split(program, weights: weights)
    do throws(SafeFile.Failure) {
      // Both checked before either is written, so a program that cannot be written (a directory
      // of its name) leaves no weights file behind.
      try SafeFile.checkWritable(io.resolve(output), displayName: output)
      // The weights first: the program that names them is written only once they are in place.
      if let weightsPath, !tensors.isEmpty {
        try SafeFile.checkWritable(io.resolve(weightsPath), displayName: weightsPath)
        var metadata = [("format", "ffc"), ("program", SavedWeights.name(output))]
        if let digest { metadata.append((SafeTensorsWriter.digestKey, digest)) }
        let data = SafeTensorsWriter.encode(tensors, as: .f32, metadata: metadata)
        try SafeFile.write(data, to: io.resolve(weightsPath), displayName: weightsPath)
      }
      try SafeFile.write(text, to: io.resolve(output), displayName: output)
    } catch {
      report(.cannotWrite(error), files: [], useColor: color, io: &io)
      return .programError
    }
    return .success
  }

  /// The program's text and the tensors its `load(...)` calls name: a parameter `weights` holds
  /// (by the rule `train --save` follows) is a reference to its tensor under the model's name
  /// for it (`fc1.weight`), any other a literal.
  static func split(_ program: ImportedProgram, weights: ProgramWriter.WeightsFile?)
    -> (text: String, tensors: [(name: String, value: Tensor)], digest: String?)
  {
    guard let weights else { return (program.text(value: ImportedProgram.literal), [], nil) }
    let stored = program.parameters.filter { weights.holds(elementCount: $0.values.count) }
    let tensors = stored.map { parameter in
      (
        name: parameter.tensorName,
        value: Tensor(shape: parameter.shape, scalars: parameter.values.map(Double.init))
      )
    }
    // The digest ties the program to its weights file, as `train --save` does: a program beside
    // the weights of another import (or of an interrupted one) is refused by `load`.
    let digest = tensors.isEmpty ? nil : SafeTensorsWriter.digest(tensors, as: .f32)
    let reference = ImportedProgram.reference(toFile: weights.name, digest: digest)
    let text = program.text { parameter in
      weights.holds(elementCount: parameter.values.count)
        ? reference(parameter) : ImportedProgram.literal(parameter)
    }
    return (text, tensors, digest)
  }

  /// The program a model's bytes hold; a failure names the file and says what is wrong.
  static func translate(_ bytes: [UInt8], from input: String, loss: ImportedLoss?)
    throws(SafeFile.Failure) -> ImportedProgram
  {
    let model: ONNXModel
    do {
      model = try ONNXModel(decoding: bytes)
    } catch {
      throw SafeFile.Failure(message: "cannot read '\(input)' as an ONNX model: \(error)")
    }
    do {
      return try ONNXImport.program(model, loss: loss)
    } catch {
      throw SafeFile.Failure(message: "cannot import '\(input)': \(error.message)")
    }
  }
}
