/// The options only `ffc run` takes.
extension Option where Value == Bool {
  static let grads = Option(
    flag: "--grads", help: "also print the gradient of the loss for every parameter")

  static let trace = Option(
    flag: "--trace",
    help: """
      print every named value in program order, then the gradient of
      the loss for each in the order backpropagation computes them,
      with the program line of each value (evaluates the unoptimised
      graph, where every name keeps its node)
      """)
}

/// How `ffc run` prints its report.
enum ReportFormat: String, CaseIterable, Sendable {
  case table, csv, json
}

extension Option where Value == ReportFormat {
  static let format = Option(
    "--format", choosing: "<form>", default: .table,
    help: """
      table (default; aligned, for people), csv (kind,name,index,value per
      element) or json (one object; see the README)
      """)
}

/// How a per-example program's losses and gradients combine over the rows of a data file.
enum Reduction: String, CaseIterable, Sendable {
  case mean, sum
}

extension Option where Value == Reduction {
  static let reduce = Option(
    "--reduce", default: .mean,
    help: """
      per-example programs over a data file: average (default) or add
      the losses and gradients of the rows
      """)
}

extension Option where Value == String? {
  static let hessian = Option(
    "--hessian", file: "<params>",
    help: """
      also print the Hessian of the loss with respect to parameters (W or
      W1,b1: θ their row-major elements in the order listed, an [n, n]
      matrix), built symbolically as the gradient of each element of the
      gradient: n passes, refused when building them would not fit in
      memory
      """)
}

/// What `ffc run` prints: its report, or the graph with every node's value on it.
enum RunEmission: String, CaseIterable, Sendable {
  case report, dot
}

extension Option where Value == RunEmission {
  static let emitValues = Option(
    "--emit", default: .report,
    help: """
      report (default; the values as --format says) or dot: the forward and
      gradient graph as Graphviz DOT with every node's value on it, each
      parameter with its gradient, NaN and inf in red (render with:
      dot -Tsvg); a per-example program over a data file shows its first row
      """)
}
