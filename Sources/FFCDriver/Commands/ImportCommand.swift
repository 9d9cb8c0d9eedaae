import FFCFormats
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
    """
  static let epilogue = """
    exit codes: 0 success, 1 a model ffc cannot read or import, 2 a usage error, 3 an internal
    error
    """

  static let options: [any OptionDeclaration] = [
    Option.output.withHelp("write the program to <file> (required)"), Option.importLoss,
    Option.color, Option.help,
  ]

  /// How a parameter's value is written: the one switch point between literals in the program
  /// (now) and `ImportedProgram.reference(toFile: "<model>.safetensors")`, which writes
  /// `load("<model>.safetensors", "<tensor name>")`, with the weights in a safetensors
  /// file beside the program, once that syntax and the safetensors writer are on main (the file
  /// is then written before the program; `ImportedParameter` holds its name, shape and values).
  static let parameterValue: @Sendable (ImportedParameter) -> String = ImportedProgram.literal

  public static func run(_ arguments: [String], _ io: inout CommandIO) throws -> ExitCode {
    guard let args = try scan(arguments, &io) else { return .success }
    let input = try singleInput(args)
    guard let output = args[.output] else {
      throw UsageError(
        "'import' needs the program file: -o <file.ffn>", usage: usage, helpTopic: name)
    }
    var files = OutputFiles()
    files.input("the model", input)
    files.output(Option.output.key, output)
    if let clash = files.clash(io) { throw UsageError(clash, usage: usage, helpTopic: name) }
    let color = useColor(args[.color], io)
    let text: String
    do throws(SafeFile.Failure) {
      let bytes = try SafeFile.readBytes(io.resolve(input), displayName: input)
      text = try translate([UInt8](bytes), from: input, loss: args[.importLoss])
    } catch {
      report(.cannotRead(error), files: [], useColor: color, io: &io)
      return .programError
    }
    do {
      try SafeFile.write(text, to: io.resolve(output), displayName: output)
    } catch {
      report(.cannotWrite(error), files: [], useColor: color, io: &io)
      return .programError
    }
    return .success
  }

  /// The program a model's bytes hold; a failure names the file and says what is wrong.
  static func translate(_ bytes: [UInt8], from input: String, loss: ImportedLoss?)
    throws(SafeFile.Failure) -> String
  {
    let model: ONNXModel
    do {
      model = try ONNXModel(decoding: bytes)
    } catch {
      throw SafeFile.Failure(message: "cannot read '\(input)' as an ONNX model: \(error)")
    }
    do {
      let program = try ONNXImport.program(model, loss: loss)
      return program.text(value: parameterValue)
    } catch {
      throw SafeFile.Failure(message: "cannot import '\(input)': \(error.message)")
    }
  }
}
