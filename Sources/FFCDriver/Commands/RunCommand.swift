import FFCData
import FFCIR
import FFCPasses
import FFCRuntime
import FFCViews

/// `ffc run`: evaluates the program's outputs, loss and gradients on values from the command line,
/// the program's defaults or a CSV file, through the compiled plan interpreter.
public enum RunCommand: Command {
  public static let name = "run"
  public static let abstract = "evaluate a program's outputs, loss and gradients on data"
  static let operands = "<file.ffn>"
  static let discussion = """
    Compiles the program, then evaluates it with the plan interpreter: the declared outputs, the
    loss and, with --grads, the gradient of the loss for every parameter.

    Values come from, in order of precedence: --set, the --data file, the defaults declared in the
    program (input x[3] = [1, 1, 1]); parameters without a value are initialised as declared,
    with --seed for the random ones.
    """
  static let epilogue = """
    data files:
      The first line is a header when any field in it is not a number. Columns map to the
      program's inputs, targets and labels by header name: 'y' for a scalar, 'x1'..'xn' (from 1,
      as the textbook writes x_1..x_n) or 'x[0]'..'x[n-1]' (from 0, as the language indexes;
      'x[i,j]' for a matrix per example). Without a header, or when no header name matches, the
      columns are taken in declaration order. A program whose data has a symbolic batch size
      (input X[N, 4], or X[4, N] with examples as columns) runs once on all rows, N being the
      row count; a program written for one
      example (input x[4]) runs once per row, its outputs are listed per row and its loss and
      gradients are averaged over the rows (--reduce sum adds them). Labels must be whole
      numbers from 0 to K-1 for K classes. NumPy arrays: --data X=x.npy for each declaration
      (repeat --data), or one --data d.npz (np.savez) with arrays named like the declarations.

    exit codes: 0 success, 1 an error in the program or the data (or a NaN with
    --check-numerics), 2 a usage error, 3 an internal error
    """

  static let options: [any OptionDeclaration] = [
    Option.data.withHelp(
      "read inputs, targets and labels from a CSV file or NumPy arrays (see below)"),
    Option.set, Option.grads, Option.trace, Option.emitValues, Option.format, Option.precision,
    Option.reduce,
    Option.checkNumerics, Option.hessian, Option.seed, Option.optimization, Option.color,
    Option.help,
  ]

  public static func run(_ arguments: [String], _ io: inout CommandIO) throws -> ExitCode {
    guard let args = try scan(arguments, &io) else { return .success }
    if args.all(.hessian).count > 1 {
      throw UsageError(
        "'--hessian' is given once, with its parameters separated by commas (--hessian W1,b1), and was given \(args.all(.hessian).count) times",
        usage: usage, helpTopic: name)
    }
    let drawing = args[.emitValues] == .dot
    let reportOnly = [
      (Option.trace.key, args.given(.trace)), (Option.hessian.key, args.given(.hessian)),
      (Option.format.key, args.given(.format)),
    ]
    if drawing, let clash = reportOnly.first(where: { $0.1 })?.0 {
      throw UsageError(
        "'--emit dot' draws the graph with its values; '\(clash)' is for the report, give one of them",
        usage: usage, helpTopic: name)
    }
    guard let program = try readProgram(args, &io) else { return .programError }
    let useColor = useColor(args[.color], io)
    let trace = args[.trace]
    var options = Compilation.Options(
      differentiate: args[.grads] || trace || drawing, onlyWithLoss: true,
      optimize: args[.optimization] && !trace,
      // --trace reads every named value and --check-numerics names the op that failed, and
      // --emit dot draws every node: they run the graph unfused.
      fuse: !trace && !args[.checkNumerics] && !drawing)
    options.precision = args[.precision]
    let compiled: Compilation
    switch compile(program, options, useColor: useColor, &io) {
    case .failure(let code): return code
    case .success(let compilation): compiled = compilation
    }
    if args[.grads] && compiled.forward.loss == nil {
      throw UsageError(
        "'--grads' needs a loss, and '\(program.displayName)' declares none", usage: usage,
        helpTopic: name)
    }
    return execute(compiled, args: args, trace: trace, useColor: useColor, io: &io)
  }

  static func execute(
    _ compiled: Compilation, args: ArgumentScanner, trace: Bool, useColor: Bool,
    io: inout CommandIO
  ) -> ExitCode {
    let graph = compiled.graph
    var files = [compiled.source]
    let inputs: RunInputs
    do throws(Diagnostic) {
      // Read only by this run's plans, all in `--precision`: an f32 run holds a CSV table's
      // numbers as Floats.
      inputs = try RunInputs.gather(
        sets: args.all(.set), data: args.all(.data).compactMap { $0 }, graph: graph, io: io,
        keepingStored: true, narrowingTo: args[.precision])
    } catch {
      if let dataPath = args[.data],
        let text = try? SafeFile.read(io.resolve(dataPath), displayName: dataPath)
      {
        files.append(SourceFile(path: dataPath, text: text))
      }
      io.err(DiagnosticRenderer(files: files, useColor: useColor).render(error))
      // A --set that is not name=values is a mistake in the command line, like a bad flag value.
      return error.id == "set.syntax" ? .usage : .programError
    }
    if let file = inputs.dataFile { files.append(file) }
    let renderer = DiagnosticRenderer(files: files, useColor: useColor)
    if let warning = inputs.underflowWarning(in: args[.precision]) {
      io.err(renderer.render(warning))
    }
    if args.given(.reduce) && !inputs.isPerExample {
      io.err(renderer.render(Diagnostic.reduceNotApplicable(hasData: inputs.data != nil)))
      return .usage
    }
    var hessian: Graph?
    if let parameter = args[.hessian] {
      guard let rows = hessianGraph(compiled, parameter: parameter, renderer: renderer, io: &io)
      else { return .programError }
      hessian = rows
    }
    var report: RunReport
    let precision = args[.precision]
    do throws(RunFailure) {
      report = try precision.dispatch(
        execution(of: compiled.graph, compiled, inputs, trace: trace, args))
      if let parameter = args[.hessian], let hessian {
        let rows = try precision.dispatch(
          execution(of: hessian, compiled, inputs, trace: false, args))
        report.hessian = HessianReport.matrix(
          rows.outputs, parameter: parameter, loss: graph.loss?.name ?? "L")
      }
    } catch {
      io.err(
        renderer.render(Diagnostic.runFailure(error, graph: graph, precision: precision)))
      return .programError
    }
    if let values = report.nodeValues {
      io.out(
        ValuedDot(graph: graph, values: values, note: valuesNote(graph, inputs, args)).render())
      return .success
    }
    switch args[.format] {
    case .csv: io.out(ReportCSV.render(report))
    case .json: io.out(ReportJSON.render(report))
    case .table: io.out(ReportTable.render(report))
    }
    return .success
  }

  static func execution(
    of graph: Graph, _ compiled: Compilation, _ inputs: RunInputs, trace: Bool,
    _ args: ArgumentScanner
  ) -> RunExecution {
    RunExecution(
      graph: graph, source: compiled.source, inputs: inputs, seed: args[.seed], trace: trace,
      checkNumerics: args[.checkNumerics], reduceBySum: args[.reduce] == .sum,
      keepValues: args[.emitValues] == .dot)
  }

  /// The drawing's caption: which values it shows.
  static func valuesNote(_ graph: Graph, _ inputs: RunInputs, _ args: ArgumentScanner) -> String {
    guard let data = inputs.data, let path = args[.data] else {
      let set = args.all(.set).isEmpty ? "" : " and --set"
      return "\(graph.name): values at the program's defaults\(set)"
    }
    if inputs.isPerExample {
      return "\(graph.name): values of data row 1 of \(data.rowCount) in \(path)"
    }
    return "\(graph.name): values over the \(data.rowCount) rows of \(path)"
  }

  /// The optimised graph of the Hessian rows of `parameter`, or nil after reporting why not.
  static func hessianGraph(
    _ compiled: Compilation, parameter: String, renderer: DiagnosticRenderer, io: inout CommandIO
  ) -> Graph? {
    let problem: String
    do throws(Hessian.Failure) {
      let names = parameter.split(separator: ",", omittingEmptySubsequences: false).map {
        String($0).trimmingCharacters(in: .whitespaces)
      }
      if let twice = names.enumerated().first(where: { names[..<$0.offset].contains($0.element) }) {
        problem =
          "'--hessian \(parameter)' names '\(twice.element)' twice; list each parameter once"
        io.err(renderer.render(Diagnostic(.error, id: "run.hessian", problem, at: nil)))
        return nil
      }
      let rows = try Hessian.graph(
        compiled.forward, parameters: names, budget: MemoryBudget.derivatives)
      return try? Pipeline.standard(differentiate: false, optimize: true).run(rows).graph
    } catch {
      switch error {
      case .noLoss: problem = "'--hessian' needs a loss, and the program declares none"
      case .notAParameter(let name):
        let names = compiled.forward.parameters.map(\.name)
        let hint = EditDistance.closest(to: name, in: names).map { "; did you mean '\($0)'?" } ?? ""
        problem = "'--hessian \(parameter)': the program has no parameter '\(name)'\(hint)"
      case .overBudget(let names, let count, let reason):
        problem =
          "'--hessian \(parameter)': the Hessian over '\(names)' (\(count) elements): \(reason)"
      case .reverseMode(let failure):
        if case .notDifferentiable(let op, let location) = failure {
          io.err(renderer.render(.cannotDifferentiate(op, at: location)))
          return nil
        }
        problem = "the Hessian could not be built: \(failure)"
      }
    }
    io.err(renderer.render(Diagnostic(.error, id: "run.hessian", problem, at: nil)))
    return nil
  }
}

/// Assembles the Hessian rows a run computed into one [n, n] matrix (rows averaged over the data
/// rows of a per-example program, like its loss).
enum HessianReport {
  static func matrix(_ rows: [RunReport.Entry], parameter: String, loss: String) -> RunReport.Entry
  {
    let n = rows.count
    var values: [Double] = []
    for row in rows {
      // n values per example; a per-example program over a file stacked one set per data row.
      let examples = Swift.max(1, row.value.count / Swift.max(1, n))
      var sums = [Double](repeating: 0, count: n)
      for (i, x) in row.value.scalars.enumerated() { sums[i % n] += x }
      values += sums.map { $0 / Double(examples) }
    }
    return RunReport.Entry(
      name: "d2\(loss)/d\(parameter.contains(",") ? "(\(parameter))" : parameter)^2",
      value: Tensor(shape: [n, n], scalars: values))
  }
}
