import FFCData
import FFCIR
import FFCRuntime

/// `ffc check`: proves the symbolic gradient numerically, parameter by parameter.
public enum CheckCommand: Command {
  public static let name = "check"
  public static let abstract = "compare the symbolic gradient with finite differences"
  static let operands = "<file.ffn>"
  static let discussion = """
    Evaluates in f64 the gradient of the loss with respect to every parameter, as the gradient
    graph computes it, and compares it element by element with central finite differences
    (L(θ + h) − L(θ − h)) / 2h at the program's parameter values.

    Values come from --set, --data (a per-example program is checked on the file's first row)
    and the program's defaults; inputs, targets and labels that have none get seeded random
    values (a symbolic batch size is 3). An element passes when the two agree within the
    tolerance, relative to max(1, |gradient|), at one of several steps chosen per element
    (ε · max(1, |θ|), larger ones where the loss is large and round-off dominates, smaller ones and
    ε · |θ| near the edge of a domain). Where the function has no derivative or the difference
    cannot tell, the element is reported as such, not as a failure: at a kink (relu or abs at 0,
    hard_tanh at ±1, kinks that meet), at a jump (sign, step, equal, where where they switch), or
    unreliable (the loss overflows or leaves its domain on both sides, or round-off, about
    |L| · 2⁻⁵² / ε, exceeds the error). Exit 1 only for a real disagreement.

    The program's own derivative values are checked too, against finite differences of the
    forward graph: each jvp(y, W, V) along V, each jacobian(y, W) along every element of W, and
    each hessian(f, ...) by second differences (step 1e-4), with the value differentiated with
    respect to moved as an independent input and the values under stop_gradient held still.

    A gradient or derivative value that passes through a function's stated derivative
    (derivative(g) = ...) is not compared: the differences see the forward expression, which the
    stated derivative need not match (a straight-through estimator). Its row says "not checked
    (custom derivative at line N)", which is not a failure. A derivative declared exact
    (derivative(g) exact = ...) is checked like any other.
    """
  static let epilogue = """
    exit codes: 0 every gradient agrees, 1 one does not (or an error in the program or the data),
    2 a usage error, 3 an internal error
    """

  static let options: [any OptionDeclaration] = [
    Option.data.withHelp("data, read as by 'ffc run'"),
    Option.set.withHelp("give a value (parameters too)"), Option.finiteDifferenceStep,
    Option.tolerance, Option.maxElements,
    Option.seed.withHelp("seed for initialisers, random data and the sample (default 0)"),
    Option.optimization.withHelp(
      "check the unoptimised gradient graph", "check the optimised gradient graph (the default)"),
    Option.color, Option.help,
  ]

  public static func run(_ arguments: [String], _ io: inout CommandIO) throws -> ExitCode {
    guard let args = try scan(arguments, &io) else { return .success }
    let settings = checkSettings(args)
    guard let program = try readProgram(args, &io) else { return .programError }
    let useColor = useColor(args[.color], io)
    let compiled: Compilation
    switch compile(
      program, .init(differentiate: true, optimize: args[.optimization], fuse: true),
      useColor: useColor, &io)
    {
    case .failure(let code): return code
    case .success(let compilation): compiled = compilation
    }
    var files = [compiled.source]
    let graph = compiled.graph
    let report: [GradientCheck.Parameter]
    let derivatives: [DerivativeCheck.Row]
    do throws(Diagnostic) {
      // The data stays where it was read (`storedFeeds`, as `ffc run` keeps it): the plans fill
      // their buffers from it, and the gradients' plan reads a CSV table's block in place.
      let inputs = try RunInputs.gather(
        sets: args.all(.set), data: args.all(.data).compactMap { $0 }, graph: graph, io: io,
        keepingStored: true)
      if let file = inputs.dataFile { files.append(file) }
      var feeds = inputs.feeds(row: inputs.isPerExample ? 0 : nil)
      let stored = inputs.storedFeeds
      do {
        try RandomData.fill(&feeds, graph: graph, seed: settings.seed, stored: stored)
        let leaves = try LeafValues(
          graph, feeds: feeds, seed: settings.seed, keepingStored: true, storedFeeds: stored)
        report = try Self.withShared(stored, graph) { external throws(EvaluationError) in
          try GradientCheck.run(
            graph, leaves: leaves, settings: settings, forward: compiled.forward,
            external: external)
        }
        try RandomData.fill(&feeds, graph: compiled.forward, seed: settings.seed, stored: stored)
        derivatives = try DerivativeCheck.run(
          compiled.forward, sites: compiled.derivativeSites,
          leaves: LeafValues(
            compiled.forward, feeds: feeds, seed: settings.seed, keepingStored: true,
            storedFeeds: stored),
          settings: settings)
      } catch {
        throw .valueError(error)
      }
    } catch {
      io.err(DiagnosticRenderer(files: files, useColor: useColor).render(error))
      return .programError
    }
    io.out(render(report, program: program.displayName, settings: settings))
    if !derivatives.isEmpty { io.out(render(derivatives)) }
    return report.allSatisfy(\.passed) && derivatives.allSatisfy(\.passed)
      ? .success : .programError
  }

  /// Calls `body` with the data leaves whose values are already Doubles in memory (a CSV table's
  /// blocks) as buffers for the check's plan, which only reads them: the table is its own
  /// buffer, as in `ffc run` at f64.
  static func withShared<R>(
    _ stored: [String: StoredTensor], _ graph: Graph,
    _ body: ([NodeID: UnsafeMutablePointer<Double>]) throws(EvaluationError) -> R
  ) throws(EvaluationError) -> R {
    try SharedData.withBuffers(stored) { buffers throws(EvaluationError) in
      var external: [NodeID: UnsafeMutablePointer<Double>] = [:]
      for declaration in graph.declarations {
        if let buffer = buffers[declaration.name] { external[declaration.node] = buffer }
      }
      return try body(external)
    }
  }

  /// The result of a row that passes through a function's stated derivative.
  static func notChecked(_ line: Int) -> String {
    "not checked (custom derivative at line \(line))"
  }

  /// What a verdict other than a disagreement means, after an element's line.
  static func note(_ element: GradientCheck.Element) -> String {
    switch element.verdict {
    case .agrees, .disagrees: ""
    case .kink: " (a kink: the one-sided slopes differ and the symbolic value lies between them)"
    case .jump: " (a jump: the loss steps here, it has no derivative)"
    case .unreliable where element.numeric.isNaN:
      " (unreliable: the loss is not finite here or on both sides at any step)"
    case .unreliable:
      " (unreliable: the difference's round-off, about |L|·2⁻⁵²/ε, exceeds its error)"
    }
  }

  static func checkSettings(_ args: ArgumentScanner) -> GradientCheck.Settings {
    var settings = GradientCheck.Settings()
    settings.epsilon = args[.finiteDifferenceStep] ?? settings.epsilon
    settings.tolerance = args[.tolerance] ?? settings.tolerance
    settings.maxElements = args[.maxElements] ?? settings.maxElements
    settings.seed = args[.seed]
    return settings
  }

  /// One row per `jvp`, `jacobian` and `hessian` of the program.
  static func render(_ rows: [DerivativeCheck.Row]) -> String {
    func scientific(_ x: Double) -> String { x == 0 ? "0" : String(format: "%.1e", x) }
    var table = [["derivative", "shape", "checked", "max abs error", "max rel error", "result"]]
    for row in rows {
      table.append([
        row.label, Shape(row.shape).description, String(row.checked),
        scientific(row.maxAbsoluteError), scientific(row.maxRelativeError),
        row.statedDerivativeLine.map(notChecked) ?? (row.passed ? "ok" : "FAIL"),
      ])
    }
    let widths = (0..<table[0].count).map { column in table.map { $0[column].count }.max() ?? 0 }
    var out = "derivative values of the program against finite differences of the forward graph\n"
    for row in table {
      out +=
        zip(row, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined(
          separator: "  "
        ).trimmingTrailingSpaces() + "\n"
    }
    let failed = rows.filter { !$0.passed }.count
    out +=
      failed == 0
      ? "every derivative value agrees\n"
      : "\(failed) of \(rows.count) derivative values disagree\n"
    return out
  }

  /// One row per parameter, then the failing elements.
  static func render(
    _ report: [GradientCheck.Parameter], program: String, settings: GradientCheck.Settings
  ) -> String {
    func scientific(_ x: Double) -> String { x == 0 ? "0" : String(format: "%.1e", x) }
    var rows = [["parameter", "shape", "checked", "max abs error", "max rel error", "result"]]
    for p in report {
      let notes = [(p.kinks, "at kinks"), (p.jumps, "at jumps"), (p.unreliable, "unreliable")]
        .filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }
      rows.append([
        p.name, Shape(p.shape).description, String(p.checked), scientific(p.maxAbsoluteError),
        scientific(p.maxRelativeError),
        p.statedDerivativeLine.map(notChecked)
          ?? (p.passed ? "ok" : "FAIL")
            + (notes.isEmpty ? "" : " (\(notes.joined(separator: ", ")))"),
      ])
    }
    let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
    var out =
      "gradient check of \(program) in f64: central differences with ε = \(settings.epsilon), tolerance \(settings.tolerance)\n"
    for row in rows {
      out +=
        zip(row, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined(
          separator: "  "
        ).trimmingTrailingSpaces() + "\n"
    }
    for p in report {
      for verdict in [FiniteDifference.Verdict.disagrees, .kink, .jump, .unreliable] {
        for e in p.notable.filter({ $0.verdict == verdict }).prefix(5) {
          out +=
            "  \(p.name)\(e.index): symbolic \(TensorFormat.number(e.symbolic)), numeric \(TensorFormat.number(e.numeric))\(note(e))\n"
        }
      }
    }
    let failed = report.filter { !$0.passed }.count
    let unchecked = report.filter { $0.statedDerivativeLine != nil }.count
    let aside = unchecked > 0 ? "; \(unchecked) not checked (a custom derivative)" : ""
    out +=
      failed == 0
      ? "every gradient \(unchecked > 0 ? "checked " : "")agrees\(aside)\n"
      : "\(failed) of \(report.count) gradients disagree\(aside)\n"
    return out
  }
}

/// The options only `ffc check` takes.
extension Option where Value == Double? {
  static let finiteDifferenceStep = positive(
    "--eps", help: "the finite-difference step (default 1e-6)")
  static let tolerance = positive(
    "--tolerance", help: "the largest accepted difference (default 1e-5)")
}

extension Option where Value == Int? {
  static let maxElements = count(
    "--max-elements", from: 1,
    help: """
      check at most n elements of each parameter, a seeded sample of them
      (default 1000)
      """)
}
