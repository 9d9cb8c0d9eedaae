import FFCDiagnostics
import FFCFormats
import FFCIR
import FFCRuntime
import FFCTensor
import Foundation

/// `ffc export`: the program's graph as an ONNX model, for ONNX Runtime, Netron and the engines
/// that read ONNX.
public enum ExportCommand: Command {
  public static let name = "export"
  public static let abstract =
    "write a program as an ONNX model, optionally with its gradient and an SGD step"
  static let operands = "<file.ffn>"
  static let discussion = """
    Compiles the program and writes its graph to the file -o names as an ONNX model (opset \(ONNXExport.opset),
    standard operators only): inputs, targets and labels are the model's inputs (a symbolic
    size such as N a named dimension), parameters are initializers holding their values (drawn
    with --seed when the program gives none), and the outputs are the program's outputs by name
    (the loss when there are none).
    """
  static let epilogue = """
    exit codes: 0 success, 1 an error in the program (or an op with no ONNX form), 2 a usage
    error, 3 an internal error
    """

  static let options: [any OptionDeclaration] = [
    Option.output.withHelp("write the model to <file> (required)"),
    Option.exportGradient, Option.trainStep,
    Option.learningRate.withHelp("with --train-step: the learning rate (default 0.01)"),
    Option.seed, Option.optimization,
    Option.color, Option.help,
  ]

  public static func run(_ arguments: [String], _ io: inout CommandIO) throws -> ExitCode {
    guard let args = try scan(arguments, &io) else { return .success }
    guard let output = args[.output] else {
      throw UsageError(
        "'export' needs the model file: -o <file.onnx>", usage: usage, helpTopic: name)
    }
    if let rate = args[.learningRate], !Float(rate).isFinite {
      throw UsageError(
        "'--lr \(rate)' is too large for f32, the element type of the model", usage: usage,
        helpTopic: name)
    }
    if args[.learningRate] != nil && !args[.trainStep] {
      throw UsageError(
        "'--lr' is the rate of the training step; give it with '--train-step'", usage: usage,
        helpTopic: name)
    }
    guard let program = try readProgram(args, &io) else { return .programError }
    var files = OutputFiles()
    files.input("the program", args.positionals.first)
    files.output(Option.output.key, output)
    if let clash = files.clash(io) { throw UsageError(clash, usage: usage, helpTopic: name) }
    let contents: ONNXExport.Contents =
      args[.trainStep]
      ? .trainStep(learningRate: args[.learningRate] ?? 0.01)
      : args[.exportGradient] ? .gradients : .forward
    let color = useColor(args[.color], io)
    let options = Compilation.Options(
      differentiate: contents != .forward, optimize: args[.optimization])
    switch compile(program, options, useColor: color, &io) {
    case .failure(let code):
      return code
    case .success(let compilation):
      return write(compilation, contents, seed: args[.seed], to: output, color: color, &io)
    }
  }

  /// Draws the parameters' values, builds the model and writes it; a failure is reported at the
  /// program line it concerns.
  static func write(
    _ compilation: Compilation, _ contents: ONNXExport.Contents, seed: UInt64, to output: String,
    color: Bool, _ io: inout CommandIO
  ) -> ExitCode {
    let graph = compilation.graph
    let files = [compilation.source]
    do {
      var parameters: [Int: Tensor] = [:]
      for (index, declaration) in graph.declarations.enumerated() where declaration.kind == .param {
        parameters[index] = try LeafValues.value(of: declaration, [:], seed: seed)
      }
      try checkFloat32(graph, parameters: parameters)
      let model = try ONNXExport.model(
        graph, contents: contents, parameters: parameters, producerVersion: Driver.version)
      try SafeFile.write(Data(model.encoded()), to: io.resolve(output), displayName: output)
      return .success
    } catch let error as EvaluationError {
      report(.valueError(error), files: files, useColor: color, io: &io)
    } catch let error as ONNXExportError {
      // A problem of the whole program (no output to export) names the file.
      let diagnostic = Diagnostic.cannotExport(error)
      report(
        error.location == nil ? diagnostic.inFile(compilation.source.path) : diagnostic,
        files: files, useColor: color, io: &io)
    } catch let error as SafeFile.Failure {
      report(.cannotWrite(error), files: files, useColor: color, io: &io)
    } catch {
      report(.unexpected(error), files: files, useColor: color, io: &io)
      return .internalError
    }
    return .programError
  }

  /// The model holds f32 values: a parameter, default or constant that f32 cannot hold would be
  /// written as an infinity, so it is an error at its line, as `ffc run` makes it.
  static func checkFloat32(_ graph: Graph, parameters: [Int: Tensor]) throws(EvaluationError) {
    for (index, declaration) in graph.declarations.enumerated() {
      let scalars = (parameters[index] ?? declaration.defaultValue)?.scalars ?? []
      if let x = scalars.first(where: { $0.isFinite && !Float($0).isFinite }) {
        throw EvaluationError(
          message:
            "the value \(TensorFormat.number(x)) of '\(declaration.name)' is too large for f32, the element type of the model",
          location: declaration.location)
      }
    }
    for node in graph.nodes {
      if let x = node.embeddedNumbers.first(where: { $0.isFinite && !Float($0).isFinite }) {
        throw EvaluationError(
          message:
            "the constant \(TensorFormat.number(x)) is too large for f32, the element type of the model",
          location: node.location)
      }
    }
  }
}
