import FFCIR
import FFCRuntime

/// Why a run stopped.
enum RunFailure: Error {
  case evaluation(EvaluationError)
  /// `--check-numerics`: the node that first produced a NaN or an infinity, and the data row.
  case nonFinite(node: NodeID, value: Tensor, row: Int?)
}

/// Runs a compiled graph through the plan interpreter and collects what `ffc run` prints: once for
/// a batch program or values given inline, once per row for a per-example program over a data
/// file (then losses and gradients are reduced over the rows and outputs stacked on a leading row
/// axis). Run it in a precision with `Precision.dispatch`.
struct RunExecution: PrecisionGeneric {
  let graph: Graph
  let source: SourceFile
  let inputs: RunInputs
  let seed: UInt64
  let trace: Bool
  let checkNumerics: Bool
  let reduceBySum: Bool
  /// `--emit dot`: keep every node's value and report those of the first run (the first data row
  /// of a per-example program).
  var keepValues = false

  func callAsFunction<T: PlanScalar>(_: T.Type) throws(RunFailure) -> RunReport {
    // A batch program's data already held in the plan's precision (a CSV table, whose
    // declarations each have a block of it: as Doubles, or as Floats for an f32 run) is the
    // plan's buffer for it, not copied into one: the file's numbers are held once. The plan only
    // reads it (a leaf is never a kernel's output), and lives in here.
    guard !inputs.isPerExample else { return try run(T.self, sharing: [:]) }
    if T.self == Double.self {
      return try SharedData.withBuffers(inputs.storedFeeds) { buffers throws(RunFailure) in
        try run(
          T.self,
          sharing: buffers.mapValues { UnsafeMutableRawPointer($0).assumingMemoryBound(to: T.self) }
        )
      }
    }
    return try SharedData.withFloatBuffers(inputs.storedFeeds) { buffers throws(RunFailure) in
      try run(
        T.self,
        sharing: buffers.mapValues { UnsafeMutableRawPointer($0).assumingMemoryBound(to: T.self) })
    }
  }

  /// The run, with the leaves named in `sharing` reading the given memory instead of a buffer of
  /// their own.
  private func run<T: PlanScalar>(_: T.Type, sharing: [String: UnsafeMutablePointer<T>])
    throws(RunFailure) -> RunReport
  {
    var report = RunReport(precision: T.precision)
    guard inputs.isPerExample, let data = inputs.data else {
      let plan = try makePlan(T.self, feeds: inputs.feeds(), sharing: sharing)
      try execute(plan, row: nil, into: &report)
      report.outputs = graph.outputs.map { .init(name: $0.name, value: plan.value(of: $0.node)) }
      report.loss = graph.loss.map { .init(name: $0.name, value: plan.value(of: $0.node)) }
      report.gradients = gradientEntries { plan.value(of: $0) }
      report.rows = inputs.data?.rowCount
      return report
    }
    let plan = try makePlan(T.self, feeds: inputs.feeds(row: 0))
    var accumulator = RowAccumulator(graph: graph, rows: data.rowCount)
    var declarations: [String: Declaration] = [:]
    for declaration in graph.declarations { declarations[declaration.name] = declaration }
    for row in 0..<data.rowCount {
      if row > 0 {
        // The order of the writes does not matter: each goes to its own leaf.
        for (name, value) in inputs.feeds(row: row) {
          guard let declaration = declarations[name] else { continue }
          do {
            try plan.set(value, for: declaration)
          } catch {
            throw .evaluation(error)
          }
        }
      }
      try execute(plan, row: row + 1, into: &report)
      accumulator.add(plan)
    }
    report.rows = data.rowCount
    report.reduction = reduceBySum ? "sum" : "mean"
    report.outputs = zip(graph.outputs, accumulator.stackedOutputs()).map {
      .init(name: $0.name, value: $1)
    }
    let divisor = reduceBySum ? 1 : Double(data.rowCount)
    report.loss = graph.loss.map {
      .init(name: $0.name, value: accumulator.loss.map { $0 / divisor })
    }
    let gradients = accumulator.gradients.map { $0.map { $0 / divisor } }
    report.gradients = gradientEntries { node in
      gradients[graph.gradients.firstIndex { $0.node == node } ?? 0]
    }
    return report
  }

  private func makePlan<T: PlanScalar>(
    _: T.Type, feeds: [String: Tensor], sharing: [String: UnsafeMutablePointer<T>] = [:]
  ) throws(RunFailure) -> Plan<T> {
    var external: [NodeID: UnsafeMutablePointer<T>] = [:]
    for declaration in graph.declarations {
      if let buffer = sharing[declaration.name] { external[declaration.node] = buffer }
    }
    do {
      return try Plan<T>(
        graph,
        leaves: LeafValues(
          graph, feeds: feeds, seed: seed, keepingStored: true, storedFeeds: inputs.storedFeeds),
        keepAll: keepValues, external: external)
    } catch {
      throw .evaluation(error)
    }
  }

  private func gradientEntries(_ value: (NodeID) -> Tensor) -> [RunReport.Entry] {
    let lossName = graph.loss?.name ?? "L"
    return graph.gradients.map {
      .init(name: "d\(lossName)/d\(graph.parameter(of: $0).name)", value: value($0.node))
    }
  }

  /// One run of the plan, with every node's value kept for `--emit dot` after the first.
  private func execute<T: PlanScalar>(_ plan: Plan<T>, row: Int?, into report: inout RunReport)
    throws(RunFailure)
  {
    try observe(plan, row: row, into: &report)
    if keepValues && report.nodeValues == nil {
      report.nodeValues = graph.nodes.indices.map { plan.value(of: NodeID($0)) }
    }
  }

  /// One run of the plan, observed for `--trace` and `--check-numerics`.
  private func observe<T: PlanScalar>(_ plan: Plan<T>, row: Int?, into report: inout RunReport)
    throws(RunFailure)
  {
    if !trace && !checkNumerics {
      plan.run()
      return
    }
    var computed: [Int: Tensor] = [:]
    var traced = [Bool](repeating: false, count: graph.nodes.count)
    if trace {
      for (index, node) in graph.nodes.enumerated() where node.name != nil && !node.isGradient {
        traced[index] = true
      }
      for adjoint in backward { traced[adjoint.node.index] = true }
    }
    var firstNonFinite: (NodeID, Tensor)?
    plan.run { node in
      guard firstNonFinite == nil else { return }
      if traced[node.index] { computed[node.index] = plan.value(of: node) }
      if checkNumerics {
        let value = plan.value(of: node)
        if !value.isFinite { firstNonFinite = (node, value) }
      }
    }
    if let (node, value) = firstNonFinite { throw .nonFinite(node: node, value: value, row: row) }
    guard trace else { return }
    func value(_ id: NodeID) -> Tensor? {
      graph[id].op.isLeaf ? plan.value(of: id) : computed[id.index]
    }
    let aliases = graph.aliasesByNode
    for (index, node) in graph.nodes.enumerated()
    where traced[index] && !node.isGradient && node.constantValue == nil {
      guard let name = node.name, let value = value(NodeID(index)) else { continue }
      report.trace.append(entry(name, value, location: node.location, isGradient: false, row: row))
      for alias in aliases[index] {
        report.trace.append(
          entry(alias.name, value, location: alias.location, isGradient: false, row: row))
      }
    }
    for adjoint in backward {
      guard let value = value(adjoint.node) else { continue }
      // The line of the value it is the gradient of: dL/dh2 sits with h2 = relu(W2 @ h1).
      report.trace.append(
        entry(
          adjoint.name, value, location: adjoint.location ?? graph[adjoint.of].location,
          isGradient: true, row: row)
      )
    }
  }

  /// The backward values `--trace` shows: every named value's gradient, in the order
  /// backpropagation computes them (or the named gradient nodes, for a graph without adjoints).
  private var backward: [Adjoint] {
    if !graph.adjoints.isEmpty { return graph.adjoints }
    return graph.nodes.enumerated().compactMap { index, node in
      node.isGradient ? node.name.map { Adjoint($0, NodeID(index), of: NodeID(index)) } : nil
    }
  }

  private func entry(
    _ name: String, _ value: Tensor, location: SourceRange?, isGradient: Bool, row: Int?
  ) -> RunReport.TraceEntry {
    let line = location?.start.line
    return .init(
      name: name, value: value, line: line, callLine: location?.call?.line,
      source: line.map { Self.excerpt(source.lineText($0)) },
      isGradient: isGradient, row: inputs.isPerExample ? row : nil)
  }

  /// A program line as the trace quotes it: without its comment, trimmed, at most 48 characters.
  static func excerpt(_ line: String) -> String {
    let code =
      line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
    let trimmed = code.trimmingCharacters(in: .whitespaces)
    return trimmed.count > 48 ? String(trimmed.prefix(47)) + "…" : trimmed
  }
}

/// Sums losses and gradients over the rows of a per-example run and stacks its outputs.
struct RowAccumulator {
  let graph: Graph
  let rows: Int
  var outputs: [[Double]]
  var loss = Tensor(0)
  var gradients: [Tensor]
  private var outputShapes: [[Int]] = []

  init(graph: Graph, rows: Int) {
    self.graph = graph
    self.rows = rows
    outputs = graph.outputs.map { _ in [] }
    gradients = []
  }

  mutating func add<T: PlanScalar>(_ plan: Plan<T>) {
    for (index, output) in graph.outputs.enumerated() {
      let value = plan.value(of: output.node)
      if outputShapes.count <= index { outputShapes.append(value.shape) }
      outputs[index] += value.scalars
    }
    if let lossNode = graph.loss?.node { loss = loss.zip(plan.value(of: lossNode), +) }
    let values = graph.gradients.map { plan.value(of: $0.node) }
    gradients = gradients.isEmpty ? values : zip(gradients, values).map { $0.zip($1, +) }
  }

  func stackedOutputs() -> [Tensor] {
    zip(outputs, outputShapes).map { Tensor(shape: [rows] + $1, scalars: $0) }
  }
}
