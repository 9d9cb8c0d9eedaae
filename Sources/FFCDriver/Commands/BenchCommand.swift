import FFCIR
import FFCRuntime
import Foundation

/// `ffc bench`: times a program's training step (forward + gradient through the plan, then a plain
/// SGD update of every parameter in place) on seeded random data, as the peer benchmarks do.
public enum BenchCommand: Command {
  public static let name = "bench"
  public static let abstract = "time a program's training step on random data"
  public static let usage =
    "ffc bench <file.ffn> [--batch <n>] [--steps <n>] [--warmup <n>] [--precision f32|f64] [--lr <x>] [--seed <n>] [--color auto|always|never]"
  public static let help = """
    usage: \(usage)

    Compiles the program (parse, forward graph, gradient graph, optimizer, fusion of elementwise
    chains) and plans it, timing both, then times training steps: one run of the plan (forward and gradient) followed by plain
    SGD, θ ← θ − lr·g, on every parameter, in place. Every symbolic dimension (N) is --batch;
    inputs, targets and labels without a value get seeded random data (inputs from U(−1, 1),
    targets from U(0, 1), labels uniform over their classes), drawn once.

    It prints the median, fastest and slowest step, the FLOP rate of the step's matrix products
    (2·m·k·n each, at the median), the threads a large matrix product uses (FFC_THREADS sets
    them), the plan's peak memory and the compile time (to the plan, included), with the number
    of ops a step runs (counted as PyTensor does: fused chains once, one update per parameter).

    options:
      --batch <n>        the size of every symbolic dimension (default 128)
      --steps <n>        timed steps (default 100)
      --warmup <n>       untimed steps before them (default 10)
      --precision <p>    f32 (default) or f64
      --lr <x>           the SGD learning rate (default 0.01)
      --seed <n>         seed for the initialisers and the data (default 0)
      --color <when>     colour diagnostics: auto (default), always, never
      -h, --help         show this help

    exit codes: 0 success, 1 an error in the program (or one without a loss or parameters),
    2 a usage error, 3 an internal error
    """

  static let options: [ArgumentScanner.OptionSpec] = [
    .init(["--batch"], takesValue: true), .init(["--steps"], takesValue: true),
    .init(["--warmup"], takesValue: true),
    .init(["--precision"], takesValue: true), .init(["--lr"], takesValue: true),
    .init(["--seed"], takesValue: true),
    .init(["--color"], takesValue: true), .init(["--help", "-h"]),
  ]

  struct Settings {
    var batch = 128
    var steps = 100
    var warmup = 10
    var double = false
    var learningRate = 0.01
    var seed: UInt64 = 0
  }

  public static func run(_ arguments: [String], _ io: inout CommandIO) throws -> ExitCode {
    guard let args = try scan(arguments, options, &io) else { return .success }
    let settings = try parseSettings(args)
    guard let program = try readProgram(args, &io) else { return .programError }
    let useColor = useColor(args.value("--color"), io)
    let start = DispatchTime.now().uptimeNanoseconds
    let compiled: Compilation
    switch compile(program, .init(differentiate: true, fuse: true), useColor: useColor, &io) {
    case .failure(let code): return code
    case .success(let compilation): compiled = compilation
    }
    let compileSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    guard compiled.graph.loss != nil, !compiled.graph.gradients.isEmpty else {
      report(.nothingToTime(compiled.source.path), files: [], useColor: useColor, io: &io)
      return .programError
    }
    let bench = Bench(graph: compiled.graph, settings: settings, compileSeconds: compileSeconds)
    do throws(EvaluationError) {
      io.out(
        settings.double
          ? try bench.run(Double.self, program.displayName)
          : try bench.run(Float.self, program.displayName))
    } catch {
      report(.valueError(error), files: [compiled.source], useColor: useColor, io: &io)
      return .programError
    }
    return .success
  }

  static func parseSettings(_ args: ArgumentScanner) throws(UsageError) -> Settings {
    var settings = Settings()
    func count(_ flag: String, from minimum: Int) throws(UsageError) -> Int? {
      guard let text = args.value(flag) else { return nil }
      guard let value = Int(text), value >= minimum else {
        throw UsageError(
          "'\(text)' is not a valid value for '\(flag)'; expected a whole number from \(minimum)",
          usage: usage, helpTopic: name)
      }
      return value
    }
    settings.batch = try count("--batch", from: 1) ?? settings.batch
    settings.steps = try count("--steps", from: 1) ?? settings.steps
    settings.warmup = try count("--warmup", from: 0) ?? settings.warmup
    settings.seed = UInt64(try count("--seed", from: 0) ?? 0)
    settings.double =
      try args.choice("--precision", ["f32", "f64"], command: name, usage: usage) == "f64"
    if let text = args.value("--lr") {
      guard let value = Double(text), value.isFinite, value > 0 else {
        throw UsageError(
          "'\(text)' is not a valid value for '--lr'; expected a number above 0", usage: usage,
          helpTopic: name)
      }
      settings.learningRate = value
    }
    _ = try args.choice("--color", ["auto", "always", "never"], command: name, usage: usage)
    return settings
  }
}

/// One benchmark: the plan of the gradient graph with its random data, the SGD step, the timing
/// loop and the report.
struct Bench {
  let graph: Graph
  let settings: BenchCommand.Settings
  let compileSeconds: Double

  func run<T: PlanScalar>(_: T.Type, _ program: String) throws(EvaluationError) -> String {
    var feeds: [String: Tensor] = [:]
    RandomData.fill(&feeds, graph: graph, seed: settings.seed, symbolSize: settings.batch)
    let leaves = try LeafValues(graph, feeds: feeds, seed: settings.seed)
    let planStart = DispatchTime.now().uptimeNanoseconds
    let plan = try Plan<T>(graph, bindings: leaves.bindings)
    let planSeconds = Double(DispatchTime.now().uptimeNanoseconds - planStart) / 1e9
    // Writing the data and the initial parameters is not compiling: it is left out of the time.
    for (declaration, value) in leaves.values { try plan.set(value, for: declaration) }
    let (parameters, gradients, counts) = updateBuffers(plan)
    let optimizer = Optimizer<T>(
      OptimizerSettings(kind: .sgd, learningRate: settings.learningRate), counts: counts)
    guard let lossNode = graph.loss?.node else {
      throw EvaluationError(message: "the program declares no loss", location: nil)
    }
    var times: [Double] = []
    var losses: [Double] = []
    for step in 0..<(settings.warmup + settings.steps) {
      let start = DispatchTime.now().uptimeNanoseconds
      plan.run()
      optimizer.step(parameters: parameters, gradients: gradients, counts: counts)
      let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
      losses.append(Double(plan.buffer(of: lossNode)[0]))
      if step >= settings.warmup { times.append(seconds) }
    }
    return report(plan, program: program, times: times, losses: losses, planSeconds: planSeconds)
  }

  /// Each parameter's buffer in the plan with its gradient's, in the graph's gradient order.
  private func updateBuffers<T: PlanScalar>(_ plan: Plan<T>) -> (
    [UnsafeMutablePointer<T>], [UnsafePointer<T>], [Int]
  ) {
    var parameters: [UnsafeMutablePointer<T>] = []
    var gradients: [UnsafePointer<T>] = []
    var counts: [Int] = []
    for gradient in graph.gradients {
      let declaration = graph.parameter(of: gradient)
      parameters.append(plan.buffer(of: declaration.node))
      gradients.append(UnsafePointer(plan.buffer(of: gradient.node)))
      counts.append(plan.count(of: declaration.node))
    }
    return (parameters, gradients, counts)
  }

  private func report<T: PlanScalar>(
    _ plan: Plan<T>, program: String, times: [Double], losses: [Double], planSeconds: Double
  ) -> String {
    let sorted = times.sorted()
    let median = sorted[sorted.count / 2]
    let flops = plan.matmulFLOPs
    let symbols = Set(graph.declarations.flatMap { $0.shape.symbols }).sorted()
    let bound =
      symbols.isEmpty
      ? "no symbolic sizes" : symbols.map { "\($0) = \(settings.batch)" }.joined(separator: ", ")
    let s = plan.statistics
    var out =
      "bench \(program): \(T.precisionName), \(bound), \(settings.steps) steps after \(settings.warmup) warm-up\n"
    out +=
      "  compile   \(Self.time(compileSeconds + planSeconds)) (parse to optimised gradient graph, fused, planned: \(graph.trainingStepOperationCount) ops per step with the updates)\n"
    out +=
      "  plan      \(Self.time(planSeconds)) of it (\(s.instructions) instructions, peak memory \(PlanSummary.bytes(s.peakBytes)))\n"
    out +=
      "  step      median \(Self.time(median)), min \(Self.time(sorted[0])), max \(Self.time(sorted[sorted.count - 1])) (forward + gradient + SGD, lr \(settings.learningRate))\n"
    out +=
      "  matmul    \(String(format: "%.1f", flops / 1e6)) MFLOP per step, \(String(format: "%.2f", flops / median / 1e9)) GFLOP/s at the median\n"
    out += "  threads   \(Compute.threadLimit)\n"
    out +=
      "  loss      \(Self.loss(losses[0])) at step 1, \(Self.loss(losses[losses.count - 1])) after \(losses.count) steps\n"
    return out
  }

  /// Six significant digits; a loss that diverged reads `nan` or `inf` as everywhere else in ffc
  /// (printf writes the sign of a NaN: `-nan`).
  static func loss(_ x: Double) -> String {
    x.isFinite ? String(format: "%.6g", x) : TensorFormat.number(x)
  }

  /// Seconds in the unit that keeps 3–4 significant digits.
  static func time(_ seconds: Double) -> String {
    if seconds >= 1 { return String(format: "%.3f s", seconds) }
    if seconds >= 1e-3 { return String(format: "%.3f ms", seconds * 1e3) }
    return String(format: "%.2f µs", seconds * 1e6)
  }
}

extension Diagnostic {
  static func nothingToTime(_ file: String) -> Diagnostic {
    Diagnostic(
      .error, id: "bench.no-step",
      "the program has no loss or no parameters: there is no training step to time", file: file)
  }
}
