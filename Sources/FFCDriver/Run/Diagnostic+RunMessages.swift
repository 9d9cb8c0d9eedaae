import FFCIR
import FFCRuntime
import FFCTensor

extension Diagnostic {
  static func reduceNotApplicable(hasData: Bool) -> Diagnostic {
    Diagnostic(
      .error, id: "run.reduce",
      hasData
        ? "'--reduce' applies to programs written for one example; this program's data has a batch size, and its loss already says how the rows combine"
        : "'--reduce' combines the rows of a data file for a per-example program; give one with --data",
      at: nil)
  }

  /// A failure while running: a value the data did not give, or `--check-numerics` stopping.
  static func runFailure(_ failure: RunFailure, graph: Graph, precision: Precision) -> Diagnostic {
    switch failure {
    case .evaluation(let error):
      var message = error.commandLineMessage
      if message.hasPrefix("no value for ") {
        message += "; give it with --set or --data"
      }
      return .valueError(message, at: error.location)
    case .nonFinite(let node, let value, let row):
      let graphNode = graph[node]
      let what = value.scalars.contains { $0.isNaN } ? "nan" : "an infinity"
      let name = graphNode.name.map { "'\($0)'" } ?? "a value"
      let rowText = row.map { " (data row \($0))" } ?? ""
      return Diagnostic(
        .error, id: "run.non-finite",
        "'\(graphNode.op.name)' produced \(what) in \(name)\(rowText), computing in \(precision)",
        at: graphNode.location,
        notes: [Note("--check-numerics stops at the first value that is not finite", at: nil)])
    }
  }
}

extension EvaluationError {
  /// The runtime's message, with the flag that fixes it where one does: a value f32 cannot hold
  /// is computed with `--precision f64`.
  var commandLineMessage: String {
    guard unrepresentableIn == .f32 else { return message }
    return message + "; use \(Option.precision.key) \(Precision.f64)"
  }
}
