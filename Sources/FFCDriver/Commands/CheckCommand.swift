import FFCData
import FFCIR
import FFCRuntime

/// `ffc check`: proves the symbolic gradient numerically, parameter by parameter.
public enum CheckCommand: Command {
  public static let name = "check"
  public static let abstract = "compare the symbolic gradient with finite differences"
  public static let usage =
    "ffc check <file.ffn> [--data <file.csv>] [--set <name>=<values>]... [--eps <x>] [--tolerance <x>] [--max-elements <n>] [--seed <n>] [-O0] [--color auto|always|never]"
  public static let help = """
    usage: \(usage)

    Evaluates in f64 the gradient of the loss with respect to every parameter, as the gradient
    graph computes it, and compares it element by element with central finite differences
    (L(θ + ε) − L(θ − ε)) / 2ε at the program's parameter values, with ε scaled by max(1, |θ|).

    Values come from --set, --data (a per-example program is checked on the file's first row)
    and the program's defaults; inputs, targets and labels that have none get seeded random
    values (a symbolic batch size is 3). An element passes when the two agree within the
    tolerance, relative to max(1, |gradient|). Where the function has a kink (relu or abs at 0,
    hard_tanh at ±1) it has no derivative: such elements are reported as kinks, not failures.

    options:
      --data <file.csv>      data, read as by 'ffc run'
      --set <name>=<values>  give a value (parameters too)
      --eps <x>              the finite-difference step (default 1e-6)
      --tolerance <x>        the largest accepted difference (default 1e-5)
      --max-elements <n>     check at most n elements of each parameter, a seeded sample of them
                             (default 1000)
      --seed <n>             seed for initialisers, random data and the sample (default 0)
      -O0                    check the unoptimised gradient graph
      --color <when>         colour diagnostics: auto (default), always, never
      -h, --help             show this help

    exit codes: 0 every gradient agrees, 1 one does not (or an error in the program or the data),
    2 a usage error, 3 an internal error
    """

  static let options: [ArgumentScanner.OptionSpec] = [
    .init(["--data"], takesValue: true), .init(["--set"], takesValue: true),
    .init(["--eps"], takesValue: true),
    .init(["--tolerance"], takesValue: true), .init(["--max-elements"], takesValue: true),
    .init(["--seed"], takesValue: true), .init(["-O0"]), .init(["-O1"]),
    .init(["--color"], takesValue: true),
    .init(["--help", "-h"]),
  ]

  public static func run(_ arguments: [String], _ io: inout CommandIO) throws -> ExitCode {
    guard let args = try scan(arguments, options, &io) else { return .success }
    let settings = try parseSettings(args)
    guard let program = try readProgram(args, &io) else { return .programError }
    let useColor = useColor(args.value("--color"), io)
    let compiled: Compilation
    switch compile(
      program, .init(differentiate: true, optimize: !args.has("-O0"), fuse: true),
      useColor: useColor, &io)
    {
    case .failure(let code): return code
    case .success(let compilation): compiled = compilation
    }
    var files = [compiled.source]
    let graph = compiled.graph
    let report: [GradientCheck.Parameter]
    do throws(Diagnostic) {
      let inputs = try RunInputs.gather(
        sets: args.allValues("--set"), dataPath: args.value("--data"), graph: graph, io: io)
      if let file = inputs.dataFile { files.append(file) }
      var feeds = inputs.feeds(row: inputs.isPerExample ? 0 : nil)
      RandomData.fill(&feeds, graph: graph, seed: settings.seed)
      do {
        let leaves = try LeafValues(graph, feeds: feeds, seed: settings.seed)
        report = try GradientCheck.run(graph, leaves: leaves, settings: settings)
      } catch {
        throw .valueError(error)
      }
    } catch {
      io.err(DiagnosticRenderer(files: files, useColor: useColor).render(error))
      return .programError
    }
    io.out(render(report, program: program.displayName, settings: settings))
    return report.allSatisfy(\.passed) ? .success : .programError
  }

  static func parseSettings(_ args: ArgumentScanner) throws(UsageError) -> GradientCheck.Settings {
    var settings = GradientCheck.Settings()
    func positive(_ flag: String) throws(UsageError) -> Double? {
      guard let text = args.value(flag) else { return nil }
      guard let value = Double(text), value.isFinite, value > 0 else {
        throw UsageError(
          "'\(text)' is not a valid value for '\(flag)'; expected a number above 0", usage: usage,
          helpTopic: name)
      }
      return value
    }
    settings.epsilon = try positive("--eps") ?? settings.epsilon
    settings.tolerance = try positive("--tolerance") ?? settings.tolerance
    if let text = args.value("--max-elements") {
      guard let n = Int(text), n >= 1 else {
        throw UsageError(
          "'\(text)' is not a valid value for '--max-elements'; expected a whole number from 1",
          usage: usage, helpTopic: name)
      }
      settings.maxElements = n
    }
    if let text = args.value("--seed") {
      guard let seed = UInt64(text) else {
        throw UsageError(
          "'\(text)' is not a valid value for '--seed'; expected a whole number ≥ 0", usage: usage,
          helpTopic: name)
      }
      settings.seed = seed
    }
    _ = try args.choice("--color", ["auto", "always", "never"], command: name, usage: usage)
    return settings
  }

  /// One row per parameter, then the failing elements.
  static func render(
    _ report: [GradientCheck.Parameter], program: String, settings: GradientCheck.Settings
  ) -> String {
    func scientific(_ x: Double) -> String { x == 0 ? "0" : String(format: "%.1e", x) }
    var rows = [["parameter", "shape", "checked", "max abs error", "max rel error", "result"]]
    for p in report {
      let kinks = p.kinks > 0 ? " (\(p.kinks) at kinks)" : ""
      rows.append([
        p.name, Shape(p.shape).description, String(p.checked), scientific(p.maxAbsoluteError),
        scientific(p.maxRelativeError), (p.passed ? "ok" : "FAIL") + kinks,
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
    for p in report where !p.passed {
      for e in p.failures.prefix(5) {
        out +=
          "  \(p.name)\(e.index): symbolic \(TensorFormat.number(e.symbolic)), numeric \(TensorFormat.number(e.numeric))\n"
      }
    }
    let failed = report.filter { !$0.passed }.count
    out +=
      failed == 0 ? "every gradient agrees\n" : "\(failed) of \(report.count) gradients disagree\n"
    return out
  }
}
