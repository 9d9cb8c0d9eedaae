import FFCFrontend
import FFCIR
import FFCPasses

/// The pipeline every command shares: read the file, lower it to the forward graph, run the pass
/// pipeline. Diagnostics come back rendered; the exit code says what kind of failure it was.
public struct Compilation {
  public let source: SourceFile
  /// The lowered graph, before any pass.
  public let forward: Graph
  /// Where the source gives each parameter its value, from the same lowering (for `--save`).
  public let valueSites: ValueSites
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
    case diagnostics(rendered: String, exitCode: ExitCode)
  }

  /// Compiles `path` (as the user gave it, for messages) with text `text`.
  public static func compile(
    path: String, text: String, options: Options, renderer: (SourceFile) -> DiagnosticRenderer
  ) -> Result<(Compilation, warnings: String), Failure> {
    let source = SourceFile(path: path, text: text)
    let render = renderer(source)
    let frontend = Frontend.lower(source)
    var rendered = render.render(frontend.diagnostics)
    guard let forward = frontend.graph, !frontend.hasErrors else {
      return .failure(.diagnostics(rendered: rendered, exitCode: .programError))
    }
    do throws(PassFailure) {
      let differentiate = options.differentiate && (forward.loss != nil || !options.onlyWithLoss)
      var pipeline = Pipeline.standard(
        differentiate: differentiate, optimize: options.optimize, order: options.order)
      if options.checkRewrites { pipeline.checkEach = RewriteChecker.check }
      if options.fuse { pipeline.append(Pipeline.execution()) }
      let result = try pipeline.run(forward)
      rendered += render.render(allowed(result.diagnostics, in: source))
      if result.diagnostics.contains(where: { $0.severity == .error }) {
        return .failure(.diagnostics(rendered: rendered, exitCode: .programError))
      }
      let compilation = Compilation(
        source: source, forward: forward, valueSites: frontend.valueSites, result: result)
      return .success((compilation, rendered))
    } catch {
      switch error {
      case .user(let diagnostic):
        rendered += render.render([diagnostic])
        return .failure(.diagnostics(rendered: rendered, exitCode: .programError))
      case .internal(let pass, let message):
        rendered +=
          "ffc: internal error: in pass '\(pass)': \(message)\n"
          + "  this is a bug in ffc; please report it with the program that caused it\n"
        return .failure(.diagnostics(rendered: rendered, exitCode: .internalError))
      }
    }
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

/// Renderers for callers outside the CLI (benchmarks, tests).
public enum DiagnosticRendererFactory {
  public static func plain(_ file: SourceFile) -> DiagnosticRenderer {
    DiagnosticRenderer(files: [file])
  }
}
