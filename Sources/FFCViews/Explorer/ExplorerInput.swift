import FFCIR
import FFCTensor

/// Everything the explorer page shows, gathered by the driver: the program, its differentiated
/// graph (unoptimised, so every name keeps its node, and without the nodes nothing reads: what
/// `--trace` shows), each node's value when the program could be run, the rewrites the optimiser
/// would make, and training curves.
public struct ExplorerInput {
  public var title: String
  public var source: String
  public var graph: Graph
  /// One per node, or empty when the program was not run (then the page shows shapes only).
  public var values: [Tensor?]
  /// Where the values come from, or why there are none.
  public var valuesNote: String
  public var rewrites: [ExplorerRewrite]
  /// Training curves as `TrainingCurves.svg()` draws them (`ffc plot`), shown on the page.
  public var curves: String?

  public init(
    title: String, source: String, graph: Graph, values: [Tensor?], valuesNote: String,
    rewrites: [ExplorerRewrite], curves: String? = nil
  ) {
    self.title = title
    self.source = source
    self.graph = graph
    self.values = values
    self.valuesNote = valuesNote
    self.rewrites = rewrites
    self.curves = curves
  }
}

/// One rewrite the optimiser made (`--explain-rewrites`), and where in the program.
public struct ExplorerRewrite: Sendable {
  public var pass: String
  public var rule: String
  public var line: Int?
  public var before: String
  public var after: String

  public init(pass: String, rule: String, line: Int?, before: String, after: String) {
    (self.pass, self.rule, self.line, self.before, self.after) = (pass, rule, line, before, after)
  }
}
