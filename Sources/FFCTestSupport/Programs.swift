import FFCDriver
import FFCFrontend
import FFCIR
import FFCPasses
import FFCRuntime
import Foundation

/// Helpers that compile small programs in-process.
public enum Programs {
  public struct Failure: Error, CustomStringConvertible {
    public let description: String
  }

  /// The forward graph of `text`, or the rendered diagnostics as an error.
  public static func lower(_ text: String, path: String = "test.ffn") throws -> Graph {
    let source = SourceFile(path: path, text: text)
    let result = Frontend.lower(source)
    guard let graph = result.graph else {
      throw Failure(description: DiagnosticRenderer(files: [source]).render(result.diagnostics))
    }
    return graph
  }

  /// Whether every input, target and label of `text` declares a default value.
  public static func hasDefaultsForEveryInput(_ text: String) -> Bool {
    guard let graph = try? lower(text) else { return false }
    return graph.declarations.allSatisfy {
      $0.kind == .param || $0.kind == .const || $0.defaultValue != nil
    }
  }

  /// The diagnostics `text` produces.
  public static func diagnostics(_ text: String, path: String = "test.ffn") -> [Diagnostic] {
    Frontend.lower(SourceFile(path: path, text: text)).diagnostics
  }

  /// Rendered diagnostics, as the user sees them.
  public static func rendered(_ text: String, path: String = "test.ffn") -> String {
    let source = SourceFile(path: path, text: text)
    return DiagnosticRenderer(files: [source]).render(Frontend.lower(source).diagnostics)
  }

  /// Lowers, then runs the standard pipeline.
  public static func compile(_ text: String, differentiate: Bool = true, optimize: Bool = true)
    throws -> Graph
  {
    let graph = try lower(text)
    do {
      return try Pipeline.standard(differentiate: differentiate, optimize: optimize).run(graph)
        .graph
    } catch {
      throw Failure(description: "\(error)")
    }
  }

  /// Evaluates a graph's roots in f64 with the reference evaluator.
  public static func evaluate(_ graph: Graph, feeds: [String: Tensor] = [:], seed: UInt64 = 0)
    throws -> (outputs: [Tensor], loss: Tensor?, gradients: [Tensor])
  {
    try ReferenceEvaluator(seed: seed).roots(graph, feeds: feeds)
  }

  /// The gradient named `parameter` of a compiled graph.
  public static func gradient(_ graph: Graph, _ parameter: String, feeds: [String: Tensor] = [:])
    throws -> Tensor
  {
    let values = try evaluate(graph, feeds: feeds)
    guard
      let index = graph.gradients.firstIndex(where: { graph.parameter(of: $0).name == parameter })
    else {
      throw Failure(description: "no gradient for '\(parameter)'")
    }
    return values.gradients[index]
  }
}

/// In-process runs of the command line, as `ffc` would run them.
public enum CLI {
  public struct Result {
    public let code: ExitCode
    public let stdout: String
    public let stderr: String
  }

  public static func run(
    _ arguments: [String], in directory: String = Repository.root.path, stdinText: String? = nil
  ) -> Result {
    var io = CommandIO(currentDirectory: directory)
    io.readStandardInput = { stdinText }
    let code = Driver.run(arguments, &io)
    return Result(code: code, stdout: io.standardOutput, stderr: io.standardError)
  }
}
