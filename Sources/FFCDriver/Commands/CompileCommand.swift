import FFCIR
import FFCPasses

/// `ffc compile`: the forward graph, and with `--emit-grad` the gradient graph, as text or DOT.
public enum CompileCommand: Command {
  public static let name = "compile"
  public static let abstract =
    "parse a .ffn program and print its graph, optionally with its gradient"
  static let operands = "<file.ffn>"
  static let discussion = """
    Reads the program from <file.ffn> (standard input when the file is '-'), checks names and
    shapes, builds the expression graph, runs the optimizer and prints the result.
    """
  static let epilogue =
    "exit codes: 0 success, 1 an error in the program, 2 a usage error, 3 an internal error"

  static let options: [any OptionDeclaration] = [
    Option.emitGrad, Option.fuse, Option.emit, Option.stats, Option.explainRewrites,
    Option.checkRewrites, Option.order, Option.bind,
    Option.optimization.alias("--raw", of: "-O0").withHelp(
      """
      turn the optimizer off (stabilize, constant folding, simplification,
      CSE, DCE): the gradient exactly as Differentiate built it
      """,
      "optimize (the default)"),
    Option.output,
    Option.color.withHelp(
      "colour diagnostics: auto (default: when stderr is a terminal), always, never"),
    Option.help,
  ]

  public static func run(_ arguments: [String], _ io: inout CommandIO) throws -> ExitCode {
    guard let args = try scan(arguments, &io) else { return .success }
    guard let program = try readProgram(args, &io) else { return .programError }
    var options = Compilation.Options(
      differentiate: args[.emitGrad], optimize: args[.optimization],
      checkRewrites: args[.checkRewrites],
      fuse: args[.fuse])
    if args[.order] == .second && !args[.emitGrad] {
      throw UsageError(
        "'--order 2' adds to the gradient graph; give it with '--emit-grad'", usage: usage,
        helpTopic: name)
    }
    options.order = args[.order] == .second ? 2 : 1
    var files = OutputFiles()
    files.input("the program", args.positionals.first)
    files.output(Option.output.key, args[.output])
    if let clash = files.clash(io) { throw UsageError(clash, usage: usage, helpTopic: name) }
    switch compile(program, options, useColor: useColor(args[.color], io), &io) {
    case .failure(let code):
      return code
    case .success(let compilation):
      let printed =
        args[.emit] == .dot
        ? DotPrinter().print(compilation.graph)
        : TextPrinter(source: compilation.source).print(compilation.graph)
      if let stats = args[.stats] {
        io.err(StatisticsTable.render(compilation, showTimes: stats == .withTimes))
        io.err(
          PlanSummary.render(compilation.graph, bindings: bindings(args), fused: args[.fuse]))
      }
      if args[.explainRewrites] { io.err(explain(compilation.result.events)) }
      if args[.checkRewrites] {
        // A rewrite that changed a value is an error above; silence would not say the check ran.
        let count = compilation.result.events.count
        io.err("checked \(count) rewrite\(count == 1 ? "" : "s"): no value changed\n")
      }
      if let output = args[.output] {
        do {
          try SafeFile.write(printed, to: io.resolve(output), displayName: output)
        } catch {
          report(.cannotWrite(error), files: [], useColor: useColor(args[.color], io), io: &io)
          return .programError
        }
      } else {
        io.out(printed)
      }
      return .success
    }
  }

  /// One entry per rewrite that fired, in the order the passes ran them.
  static func explain(_ events: [RewriteEvent]) -> String {
    guard !events.isEmpty else { return "no rewrite fired\n" }
    return events.map { event in
      let place = event.location.map { "\($0.file):\($0.start.line): " } ?? ""
      return "\(place)\(event.pass): \(event.rule)\n    \(event.before)  ->  \(event.after)\n"
    }.joined()
  }

  /// `--bind N=128`: sizes for symbolic dimensions; every other symbol is planned with 1.
  static func bindings(_ args: ArgumentScanner) -> [String: Int] {
    var sizes: [String: Int] = [:]
    for binding in args.all(.bind).compactMap({ $0 }) { sizes[binding.symbol] = binding.size }
    return sizes
  }
}
