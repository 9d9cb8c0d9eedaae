import FFCIR
import FFCRuntime
import Foundation

/// `ffc bench`: times a program's training step (forward + gradient through the plan, then a plain
/// SGD update of every parameter in place) on seeded random data, as the peer benchmarks do.
public enum BenchCommand: Command {
  public static let name = "bench"
  public static let abstract = "time a program's training step on random data"
  static let operands = "<file.ffn>"
  static let discussion = """
    Compiles the program (parse, forward graph, gradient graph, optimizer, fusion of elementwise
    chains) and plans it, timing both, then times training steps: one run of the plan (forward and gradient) followed by plain
    SGD, θ ← θ − lr·g, on every parameter, in place (as 'ffc train' steps: by the gradient's matrix
    product itself where it can, the gradient never stored; FFC_FUSE_UPDATES=0 leaves every
    update to the optimizer's pass after the run). Every symbolic dimension (N) is --batch;
    inputs, targets and labels without a value get seeded random data (inputs from U(−1, 1),
    targets from U(0, 1), labels uniform over their classes), drawn once.

    It prints the median, fastest and slowest step, the FLOP rate of the step's matrix products
    (2·m·k·n each, at the median), the threads a large matrix product uses (FFC_THREADS sets
    them), the kernel path (the widest the CPU has, or FFC_ISA=avx512|avx2|generic) with the
    block sizes it derived from the caches, the plan's peak memory and the compile time (to the plan, included), with the number
    of ops a step runs (counted as PyTensor does: fused chains once, one update per parameter).
    """
  static let epilogue = """
    exit codes: 0 success, 1 an error in the program (or one without a loss or parameters),
    2 a usage error, 3 an internal error
    """

  static let options: [any OptionDeclaration] = [
    Option.symbolSize, Option.steps, Option.warmup, Option.precision,
    Option.learningRate.withHelp("the SGD learning rate (default 0.01)"),
    Option.seed.withHelp("seed for the initialisers and the data (default 0)"), Option.color,
    Option.help,
  ]

  struct Settings {
    var batch = 128
    var steps = 100
    var warmup = 10
    var precision = Precision.f32
    var learningRate = 0.01
    var seed: UInt64 = 0

    init(_ args: ArgumentScanner) {
      batch = args[.symbolSize] ?? batch
      steps = args[.steps] ?? steps
      warmup = args[.warmup] ?? warmup
      precision = args[.precision]
      learningRate = args[.learningRate] ?? learningRate
      seed = args[.seed]
    }
  }

  public static func run(_ arguments: [String], _ io: inout CommandIO) throws -> ExitCode {
    guard let args = try scan(arguments, &io) else { return .success }
    let settings = Settings(args)
    guard let program = try readProgram(args, &io) else { return .programError }
    let useColor = useColor(args[.color], io)
    let start = DispatchTime.now().uptimeNanoseconds
    let compiled: Compilation
    var options = Compilation.Options(differentiate: true, fuse: true)
    options.precision = settings.precision
    switch compile(program, options, useColor: useColor, &io) {
    case .failure(let code): return code
    case .success(let compilation): compiled = compilation
    }
    let compileSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    guard compiled.graph.loss != nil, !compiled.graph.gradients.isEmpty else {
      report(.nothingToTime(compiled.source.path), files: [], useColor: useColor, io: &io)
      return .programError
    }
    let bench = Bench(
      graph: compiled.graph, settings: settings, compileSeconds: compileSeconds,
      program: program.displayName)
    do throws(EvaluationError) {
      io.out(try settings.precision.dispatch(bench))
    } catch {
      report(.valueError(error), files: [compiled.source], useColor: useColor, io: &io)
      return .programError
    }
    return .success
  }

}

/// One benchmark: the plan of the gradient graph with its random data, the SGD step, the timing
/// loop and the report.
struct Bench: PrecisionGeneric {
  let graph: Graph
  let settings: BenchCommand.Settings
  let compileSeconds: Double
  let program: String

  func callAsFunction<T: PlanScalar>(_: T.Type) throws(EvaluationError) -> String {
    var feeds: [String: Tensor] = [:]
    try RandomData.fill(&feeds, graph: graph, seed: settings.seed, symbolSize: settings.batch)
    let leaves = try LeafValues(graph, feeds: feeds, seed: settings.seed)
    let optimizer = Optimizer<T>(
      OptimizerSettings(kind: .sgd, learningRate: settings.learningRate),
      counts: graph.gradients.map { _ in 0 })
    // As `ffc train` steps: the products of the gradients move their parameters where they can
    // (`UpdateFusion`), the optimizer the others after the run.
    let updates = optimizer.fusableStep.map { step in
      ParameterUpdates(
        parameters: graph.gradients.map { (graph.parameter(of: $0).node, $0.node) },
        rate: step.rate, decay: step.decay)
    }
    let planStart = DispatchTime.now().uptimeNanoseconds
    let plan = try Plan<T>(
      graph, bindings: leaves.bindings,
      updates: TrainingSettings.fusesUpdatesByDefault ? updates : nil)
    let planSeconds = Double(DispatchTime.now().uptimeNanoseconds - planStart) / 1e9
    // Writing the data and the initial parameters is not compiling: it is left out of the time.
    for (declaration, value) in leaves.values { try plan.set(value, for: declaration) }
    let (parameters, gradients, counts) = updateBuffers(plan)
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

  /// Each parameter's buffer in the plan with its gradient's, in the graph's gradient order: those
  /// the optimizer steps (the plan moves the others).
  private func updateBuffers<T: PlanScalar>(_ plan: Plan<T>) -> (
    [UnsafeMutablePointer<T>], [UnsafePointer<T>], [Int]
  ) {
    var parameters: [UnsafeMutablePointer<T>] = []
    var gradients: [UnsafePointer<T>] = []
    var counts: [Int] = []
    for gradient in graph.gradients where !plan.fusesUpdate(of: gradient.node) {
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
      "bench \(program): \(T.precision), \(bound), \(settings.steps) steps after \(settings.warmup) warm-up\n"
    out +=
      "  compile   \(Self.time(compileSeconds + planSeconds)) (parse to optimised gradient graph, fused, planned: \(graph.trainingStepOperationCount) ops per step with the updates)\n"
    out +=
      "  plan      \(Self.time(planSeconds)) of it (\(s.instructions) instructions, \(s.updates) parameter updates fused, peak memory \(PlanSummary.bytes(s.peakBytes)))\n"
    out +=
      "  step      median \(Self.time(median)), min \(Self.time(sorted[0])), max \(Self.time(sorted[sorted.count - 1])) (forward + gradient + SGD, lr \(settings.learningRate))\n"
    out +=
      "  matmul    \(Self.flopCount(flops)) per step, \(String(format: "%.2f", flops / median / 1e9)) GFLOP/s at the median\n"
    out += "  threads   \(Compute.threadLimit)\n"
    out += "  kernels   \(Compute.kernelSummary(T.self))\n"
    out +=
      "  loss      \(Self.loss(losses[0])) at step 1, \(Self.loss(losses[losses.count - 1])) after \(losses.count) steps\n"
    return out
  }

  /// Six significant digits; a loss that diverged reads `nan` or `inf` as everywhere else in ffc
  /// (printf writes the sign of a NaN: `-nan`).
  static func loss(_ x: Double) -> String {
    x.isFinite ? String(format: "%.6g", x) : TensorFormat.number(x)
  }

  /// FLOPs in the unit that shows the figure (a tiny network's 96 FLOP are not "0.0 MFLOP").
  static func flopCount(_ flops: Double) -> String {
    let units: [(Double, String)] = [
      (1e12, "TFLOP"), (1e9, "GFLOP"), (1e6, "MFLOP"), (1e3, "kFLOP"),
    ]
    for (scale, unit) in units where flops >= scale {
      return String(format: "%.1f %@", flops / scale, unit)
    }
    return String(format: "%.0f FLOP", flops)
  }

  /// Seconds in the unit that keeps 3–4 significant digits.
  static func time(_ seconds: Double) -> String {
    if seconds >= 1 { return String(format: "%.3f s", seconds) }
    if seconds >= 1e-3 { return String(format: "%.3f ms", seconds * 1e3) }
    return String(format: "%.2f µs", seconds * 1e6)
  }
}

/// The options only `ffc bench` takes.
extension Option where Value == Int? {
  static let symbolSize = count(
    "--batch", from: 1, help: "the size of every symbolic dimension (default 128)")
  static let steps = count("--steps", from: 1, help: "timed steps (default 100)")
  static let warmup = count("--warmup", from: 0, help: "untimed steps before them (default 10)")
}

extension Diagnostic {
  static func nothingToTime(_ file: String) -> Diagnostic {
    Diagnostic(
      .error, id: "bench.no-step",
      "the program has no loss or no parameters: there is no training step to time", file: file)
  }
}
