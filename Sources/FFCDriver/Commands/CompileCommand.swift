import FFCIR
import FFCPasses

/// `ffc compile`: the forward graph, and with `--emit-grad` the gradient graph, as text or DOT.
public enum CompileCommand: Command {
  public static let name = "compile"
  public static let abstract =
    "parse a .ffn program and print its graph, optionally with its gradient"
  public static let usage =
    "ffc compile <file.ffn> [--emit-grad] [--fuse] [--emit text|dot] [--stats[=counts]] [--explain-rewrites] [--check-rewrites] [--order 1|2] [--bind <symbol>=<n>]... [--raw|-O0|-O1] [-o <file>] [--color auto|always|never]"
  public static let help = """
    usage: \(usage)

    Reads the program from <file.ffn> (standard input when the file is '-'), checks names and
    shapes, builds the expression graph, runs the optimizer and prints the result.

    options:
      --emit-grad        add the gradient graph: Differentiate appends the nodes that compute
                         the gradient of the loss for every parameter (needs a 'loss')
      --fuse             print the graph as the interpreter runs it: chains of elementwise ops
                         (with the bias broadcasts and scalar constants they read) fused into
                         one 'fused' node each, computing the expression in its [program]
      --emit text|dot    the printed form: text (default; one node per line in SSA form) or
                         Graphviz DOT (render with: dot -Tsvg)
      --stats            print to stderr the node counts before and after each pass, the rewrites
                         each made and its time, then the interpreter's plan for the result:
                         instructions, buffers and peak memory in f32 and f64, of the graph
                         fused as run, train, check and bench execute it; --stats=counts
                         leaves out the times
      --explain-rewrites print to stderr every rewrite that fired: where (file:line), the pass, the
                         rule, and the expression before and after
      --order 2          with --emit-grad: also the second order, as Hessian-vector products:
                         for every parameter W an input v.W (a direction) and an output Hv.W,
                         the Hessian of the loss times the directions
      --check-rewrites   evaluate the graph before and after every rewrite on seeded random f64
                         values and report (exit 1) any rewrite that changes a value (a
                         stabilising rewrite may remove the rounding error of the form it
                         replaces)
      --bind <s>=<n>     the size to plan symbolic dimensions with for --stats (default 1 for
                         every symbol, e.g. --bind N=128); repeatable
      --raw, -O0         turn the optimizer off (stabilize, constant folding, simplification,
                         CSE, DCE): the gradient exactly as Differentiate built it
      -O1                optimize (the default)
      -o <file>          write the graph to <file> instead of standard output
      --color <when>     colour diagnostics: auto (default: when stderr is a terminal), always, never
      -h, --help         show this help

    exit codes: 0 success, 1 an error in the program, 2 a usage error, 3 an internal error
    """

  static let options: [ArgumentScanner.OptionSpec] = [
    .init(["--emit-grad"]), .init(["--fuse"]), .init(["--emit"], takesValue: true),
    .init(["--stats"]),
    .init(["--stats=counts"]), .init(["-O0", "--raw"]), .init(["-O1"]),
    .init(["-o"], takesValue: true),
    .init(["--color"], takesValue: true), .init(["--bind"], takesValue: true),
    .init(["--explain-rewrites"]), .init(["--check-rewrites"]),
    .init(["--order"], takesValue: true),
    .init(["--help", "-h"]),
  ]

  public static func run(_ arguments: [String], _ io: inout CommandIO) throws -> ExitCode {
    guard let args = try scan(arguments, options, &io) else { return .success }
    let emit = try args.choice("--emit", ["text", "dot"], command: name, usage: usage) ?? "text"
    let color = try args.choice(
      "--color", ["auto", "always", "never"], command: name, usage: usage)
    guard let program = try readProgram(args, &io) else { return .programError }
    var options = Compilation.Options(
      differentiate: args.has("--emit-grad"), optimize: !args.has("-O0"),
      checkRewrites: args.has("--check-rewrites"),
      fuse: args.has("--fuse"))
    let order = try args.choice("--order", ["1", "2"], command: name, usage: usage) ?? "1"
    if order == "2" && !args.has("--emit-grad") {
      throw UsageError(
        "'--order 2' adds to the gradient graph; give it with '--emit-grad'", usage: usage,
        helpTopic: name)
    }
    options.order = order == "2" ? 2 : 1
    // Read before compiling: a usage error comes before any output, not after the statistics.
    let sizes = try bindings(args)
    switch compile(program, options, useColor: useColor(color, io), &io) {
    case .failure(let code):
      return code
    case .success(let compilation):
      let printed =
        emit == "dot"
        ? DotPrinter().print(compilation.graph)
        : TextPrinter(source: compilation.source).print(compilation.graph)
      if args.has("--stats") || args.has("--stats=counts") {
        io.err(StatisticsTable.render(compilation, showTimes: !args.has("--stats=counts")))
        io.err(PlanSummary.render(compilation.graph, bindings: sizes, fused: args.has("--fuse")))
      }
      if args.has("--explain-rewrites") { io.err(explain(compilation.result.events)) }
      if let output = args.value("-o") {
        do {
          try SafeFile.write(printed, to: io.resolve(output), displayName: output)
        } catch {
          report(.cannotWrite(error), files: [], useColor: useColor(color, io), io: &io)
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
  static func bindings(_ args: ArgumentScanner) throws(UsageError) -> [String: Int] {
    var sizes: [String: Int] = [:]
    for text in args.allValues("--bind") {
      let parts = text.split(separator: "=", maxSplits: 1).map {
        $0.trimmingCharacters(in: .whitespaces)
      }
      guard parts.count == 2, !parts[0].isEmpty, let size = Int(parts[1]), size >= 0,
        size <= 1 << 30
      else {
        throw UsageError(
          "'--bind \(text)' should be a symbol and a size from 0 to \(1 << 30), such as --bind N=128",
          usage: usage, helpTopic: name)
      }
      sizes[parts[0]] = size
    }
    return sizes
  }
}
