import FFCIR
import FFCPasses
import FFCRuntime
import FFCViews
import Foundation

/// `ffc view`: one self-contained HTML page to explore a program: its source, the forward and
/// gradient graphs laid out by ffc, each node's value and gradient, the rewrites the optimiser
/// makes, a step-through of the evaluation, and training curves from a `--log` file.
public enum ViewCommand: Command {
  public static let name = "view"
  public static let abstract =
    "write a self-contained HTML page that explores a program's graphs, values and gradients"
  static let operands = "<file.ffn>"
  static let discussion = """
    Compiles the program with its gradient (unoptimised, so every name keeps its node, and
    without the nodes nothing reads: what 'run --trace' shows), runs it as 'ffc run' does when --data, --set or the program's defaults
    give every input a value, and writes one HTML file that needs nothing else: no network, no
    external script or font. Open it from disk in any browser.

    On the page: click a program line to highlight its nodes in both graphs; click a node for its
    op, shape, value, gradient, the line whose derivative made it ('via line N') and the rewrites
    the optimiser makes on its line; hover a node for its value; step through the evaluation in
    the order it is computed (the forward values, then backpropagation); click a layer's label to
    collapse or expand it (graphs of more than 150 boxes start collapsed). A program whose inputs
    have no values is drawn with shapes only. A per-example program over a data file shows the
    values of the file's first row.

    An address ending in '#node=dL/dW1' opens the page with that node explained, '#line=22' with
    that line's nodes lit. Opened with '#selftest' after its address, the page clicks through
    itself and writes the results at its bottom (ffc's browser test reads them).
    """
  static let epilogue = """
    exit codes: 0 success, 1 an error in the program, the data or the log, 2 a usage error,
    3 an internal error
    """

  static let options: [any OptionDeclaration] = [
    Option.data.withHelp("run the program on a CSV file's values (see 'ffc help run')"),
    Option.set, Option.seed, Option.viewLog, Option.viewOutput, Option.color, Option.help,
  ]

  public static func run(_ arguments: [String], _ io: inout CommandIO) throws -> ExitCode {
    guard let args = try scan(arguments, &io) else { return .success }
    var files = OutputFiles()
    files.input("the program", try singleInput(args))
    files.input(Option.data.key, args[.data])
    files.input(Option.viewLog.key, args[.viewLog])
    files.output(Option.viewOutput.key, args[.viewOutput])
    if let clash = files.clash(io) { throw UsageError(clash, usage: usage, helpTopic: name) }
    guard let program = try readProgram(args, &io) else { return .programError }
    let useColor = useColor(args[.color], io)
    let options = Compilation.Options(
      differentiate: true, onlyWithLoss: true, optimize: false, fuse: false)
    let compiled: Compilation
    switch compile(program, options, useColor: useColor, &io) {
    case .failure(let code): return code
    case .success(let compilation): compiled = compilation
    }
    var curves: String?
    if let path = args[.viewLog] {
      guard let svg = readCurves(path, useColor: useColor, io: &io) else { return .programError }
      curves = svg
    }
    // The gradient graph as --trace evaluates it: without the nodes nothing reads.
    let graph = compiled.graph.withoutUnreadNodes()
    guard
      let (values, note) = evaluate(graph, compiled.source, args, useColor: useColor, io: &io)
    else {
      return .programError
    }
    let input = ExplorerInput(
      title: program.displayName, source: compiled.source.text, graph: graph,
      values: values, valuesNote: note, rewrites: rewrites(compiled.source), curves: curves)
    let page = ExplorerPage.html(input)
    guard let output = args[.viewOutput] else {
      io.out(page)
      return .success
    }
    do throws(SafeFile.Failure) {
      try SafeFile.write(page, to: io.resolve(output), displayName: output)
    } catch {
      report(.cannotWrite(error), files: [], useColor: useColor, io: &io)
      return .programError
    }
    return .success
  }

  /// Every node's value from one run of the unoptimised graph, and where the values come from; no
  /// values (and why) when an input has none. Nil after reporting bad --data or --set values.
  static func evaluate(
    _ graph: Graph, _ source: SourceFile, _ args: ArgumentScanner, useColor: Bool,
    io: inout CommandIO
  ) -> (values: [Tensor?], note: String)? {
    let inputs: RunInputs
    do throws(Diagnostic) {
      inputs = try RunInputs.gather(
        sets: args.all(.set), data: args.all(.data).compactMap { $0 }, graph: graph, io: io)
    } catch {
      var files = [source]
      if let path = args[.data], let text = try? SafeFile.read(io.resolve(path), displayName: path)
      {
        files.append(SourceFile(path: path, text: text))
      }
      io.err(DiagnosticRenderer(files: files, useColor: useColor).render(error))
      return nil
    }
    let firstRow = inputs.isPerExample ? 0 : nil
    do throws(EvaluationError) {
      let leaves = try LeafValues(graph, feeds: inputs.feeds(row: firstRow), seed: args[.seed])
      let plan = try Plan<Double>(graph, leaves: leaves, keepAll: true)
      plan.run()
      let values: [Tensor?] = graph.nodes.indices.map { plan.value(of: NodeID($0)) }
      return (values, note(inputs, dataPath: args[.data]))
    } catch {
      return ([], "shapes only: \(error.message)")
    }
  }

  private static func note(_ inputs: RunInputs, dataPath: String?) -> String {
    guard let data = inputs.data, let dataPath else {
      return inputs.setValues.isEmpty
        ? "values at the program's defaults" : "values from --set and the program's defaults"
    }
    let rows = "\(data.rowCount) row\(data.rowCount == 1 ? "" : "s")"
    return inputs.isPerExample
      ? "values of row 1 of \(dataPath) (\(rows))" : "values for the \(rows) of \(dataPath)"
  }

  /// The rewrites the default optimiser makes on the program (`compile --explain-rewrites`).
  static func rewrites(_ source: SourceFile) -> [ExplorerRewrite] {
    let options = Compilation.Options(differentiate: true, onlyWithLoss: true)
    guard case .success(let (optimised, _)) = Compilation.compile(source, options: options) else {
      return []
    }
    return optimised.result.events.map {
      ExplorerRewrite(
        pass: $0.pass, rule: $0.rule, line: $0.location?.start.line, before: $0.before,
        after: $0.after)
    }
  }

  /// The training curves of a `train --log` file as `ffc plot` draws them; nil after reporting
  /// why the file cannot be read.
  static func readCurves(_ path: String, useColor: Bool, io: inout CommandIO) -> String? {
    let text: String
    do throws(SafeFile.Failure) {
      text = try SafeFile.read(io.resolve(path), displayName: path)
    } catch {
      report(.cannotRead(error), files: [], useColor: useColor, io: &io)
      return nil
    }
    let log = SourceFile(path: path, text: text)
    do throws(Diagnostic) {
      let epochs = try TrainingLogReader.read(log)
      return TrainingCurves(epochs, name: (path as NSString).lastPathComponent).svg()
    } catch {
      report(error, files: [log], useColor: useColor, io: &io)
      return nil
    }
  }
}
