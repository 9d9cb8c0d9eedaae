import FFCFrontend
import FFCIR
import FFCPasses

/// The pipeline every command shares: lower the file to the forward graph, run the pass pipeline.
/// Diagnostics come back as values, each naming the file (the command renders them); the exit
/// code says what kind of failure it was.
public struct Compilation {
  public let source: SourceFile
  /// The lowered graph, before any pass.
  public let forward: Graph
  /// Where the source gives each parameter its value, from the same lowering (for `--save`).
  public let valueSites: ValueSites
  /// The program's `jvp`, `jacobian` and `hessian` values, in the forward graph.
  public var derivativeSites: [DerivativeSite] = []
  public let result: PassManager.Result
  public var graph: Graph { result.graph }

  public struct Options: Sendable {
    public var differentiate = false
    /// With `differentiate`: only when the program has a loss (`run` prints gradients when there
    /// are some; `compile --emit-grad` insists on a loss).
    public var onlyWithLoss = false
    public var optimize = true
    /// `--check-rewrites`: compare values before and after every rewrite.
    public var checkRewrites = false
    /// `--order 2`: add the Hessian-vector products.
    public var order = 1
    /// Fuse elementwise chains for execution (`Pipeline.execution`): for the graph a command
    /// plans and runs, and for `compile --fuse`; never for the graph `compile` prints by default.
    public var fuse = false
    /// The precision the command computes in: a constant that underflows in it is warned about.
    public var precision = Precision.f64
    public init(
      differentiate: Bool = false, onlyWithLoss: Bool = false, optimize: Bool = true,
      checkRewrites: Bool = false,
      fuse: Bool = false
    ) {
      self.differentiate = differentiate
      self.onlyWithLoss = onlyWithLoss
      self.optimize = optimize
      self.checkRewrites = checkRewrites
      self.fuse = fuse
    }
  }

  public enum Failure: Error {
    /// Every diagnostic, in order, the last ones errors; `exitCode` is `.internalError` when one
    /// of them is a bug in ffc, else `.programError`.
    case diagnostics([Diagnostic], exitCode: ExitCode)
  }

  /// Compiles `source` (its path as the user gave it, for messages). On success, the warnings.
  public static func compile(_ source: SourceFile, options: Options) -> Result<
    (Compilation, warnings: [Diagnostic]), Failure
  > {
    let frontend = Frontend.lower(source)
    var diagnostics = frontend.diagnostics.map { $0.inFile(source.path) }
    func failure(_ more: [Diagnostic] = []) -> Result<
      (Compilation, warnings: [Diagnostic]), Failure
    > {
      diagnostics += more.map { $0.inFile(source.path) }
      let isBug = diagnostics.contains(where: \.isInternal)
      return .failure(.diagnostics(diagnostics, exitCode: isBug ? .internalError : .programError))
    }
    guard let forward = frontend.graph, !frontend.hasErrors else { return failure() }
    do throws(PassFailure) {
      let differentiate = options.differentiate && (forward.loss != nil || !options.onlyWithLoss)
      var pipeline = Pipeline.standard(
        differentiate: differentiate, optimize: options.optimize, order: options.order)
      if options.checkRewrites { pipeline.checkEach = RewriteChecker.check }
      if options.fuse { pipeline.append(Pipeline.execution()) }
      let result = try pipeline.run(forward)
      let passDiagnostics = allowed(result.diagnostics, in: source)
      if passDiagnostics.contains(where: { $0.severity == .error }) {
        return failure(passDiagnostics)
      }
      diagnostics += passDiagnostics.map { $0.inFile(source.path) }
      diagnostics += underflows(forward, in: options.precision).map { $0.inFile(source.path) }
      var compilation = Compilation(
        source: source, forward: forward, valueSites: frontend.valueSites, result: result)
      compilation.derivativeSites = frontend.derivativeSites
      return .success((compilation, diagnostics))
    } catch {
      switch error {
      case .user(let diagnostic):
        return failure([diagnostic])
      case .internal(let pass, let message):
        return failure([.internalError(in: "pass", "in pass '\(pass)': \(message)", at: nil)])
      }
    }
  }
}

/// A warning at each constant of the program that is not 0 but becomes 0 or a subnormal in
/// `precision` (1e-200 in f32 would silently be 0, and its log -inf).
func underflows(_ graph: Graph, in precision: Precision) -> [Diagnostic] {
  graph.nodes.compactMap { node in
    guard let x = node.embeddedNumbers.first(where: precision.underflows) else { return nil }
    let result = precision == .f32 && Float(x) == 0 ? "0" : "a subnormal number, losing digits"
    return Diagnostic(
      .warning, id: "constant.underflow",
      "the constant \(TensorFormat.number(x)) becomes \(result) in \(precision)\(precision == .f32 ? "; --precision f64 holds it" : "")",
      at: node.location)
  }
}

/// The diagnostics without the lint warnings of lines that say `# ffc: allow` (a documented way
/// to keep a pattern the linter cannot prove safe).
func allowed(_ diagnostics: [Diagnostic], in source: SourceFile) -> [Diagnostic] {
  diagnostics.filter { diagnostic in
    guard diagnostic.id.hasPrefix("lint."), let line = diagnostic.range?.start.line else {
      return true
    }
    return !source.lineText(line).contains("# ffc: allow")
  }
}
