import FFCIR
import Foundation

/// What one pass did: node counts before and after, its rewrite counters, its time.
public struct PassReport: Sendable {
  public let name: String
  public let nodesBefore: Int
  public let nodesAfter: Int
  public let counters: [(String, Int)]
  public let seconds: Double
  public let runs: Int
}

/// Runs passes in order, verifying the graph after each one (a failure is an internal error that
/// names the pass), and records a report per pass. A fixed-point group repeats until a whole round
/// changes nothing, or its iteration budget runs out, or a round grows the graph past its node
/// budget: then that round is undone and the group stops (every rewrite keeps values, so the graph
/// before it is as correct, and one greedy rule cannot blow a graph up).
public struct PassManager: Sendable {
  enum Stage: Sendable {
    case single(any Pass)
    case fixedPoint([any Pass], maxIterations: Int)
  }

  var stages: [Stage] = []
  public var verifyEach = true
  /// Called after every pass with the graph before, the graph after and the rewrites that fired;
  /// what it returns is added to the diagnostics (`--check-rewrites` evaluates both graphs here).
  public var checkEach:
    (@Sendable (_ before: Graph, _ after: Graph, _ events: [RewriteEvent]) -> [Diagnostic])?

  public init() {}

  public mutating func add(_ pass: any Pass) { stages.append(.single(pass)) }
  /// How far a fixed-point group may grow the graph it was given: twice its size, plus some room.
  public static func nodeBudget(_ nodes: Int) -> Int { 2 * nodes + 64 }

  public mutating func addFixedPoint(_ passes: [any Pass], maxIterations: Int = 8) {
    stages.append(.fixedPoint(passes, maxIterations: maxIterations))
  }

  public struct Result: Sendable {
    public let graph: Graph
    public let reports: [PassReport]
    public let diagnostics: [Diagnostic]
    /// Every rewrite that fired, in the order the passes ran.
    public let events: [RewriteEvent]
  }

  public func run(_ input: Graph) throws(PassFailure) -> Result {
    var graph = input
    // The last graph that passed verification (none yet: the input is not checked): the next
    // pass's result is checked only where it differs from it.
    var verified: Graph?
    var reports: [PassReport] = []
    var diagnostics: [Diagnostic] = []
    var events: [RewriteEvent] = []
    for stage in stages {
      switch stage {
      case .single(let pass):
        let (next, report, context) = try runOnce(pass, graph, verified: &verified)
        graph = next
        reports.append(report)
        diagnostics += context.diagnostics
        events += context.events
      case .fixedPoint(let passes, let maxIterations):
        var merged:
          [String: (before: Int, after: Int, counters: [String: Int], seconds: Double, runs: Int)] =
            [:]
        let budget = Self.nodeBudget(graph.nodes.count)
        for _ in 0..<maxIterations {
          let before = graph.nodes.count
          let roundStart = (
            graph: graph, diagnostics: diagnostics.count, events: events.count, reports: merged
          )
          var changed = false
          for pass in passes {
            let (next, report, context) = try runOnce(pass, graph, verified: &verified)
            graph = next
            changed = changed || context.total > 0
            diagnostics += context.diagnostics
            events += context.events
            // A pass in the loop is credited with its own change only, not with its neighbours'.
            var entry = merged[pass.name] ?? (report.nodesBefore, report.nodesBefore, [:], 0, 0)
            entry.after += report.nodesAfter - report.nodesBefore
            entry.seconds += report.seconds
            entry.runs += 1
            for (key, n) in report.counters { entry.counters[key, default: 0] += n }
            merged[pass.name] = entry
          }
          if graph.nodes.count > budget {
            graph = roundStart.graph
            diagnostics.removeLast(diagnostics.count - roundStart.diagnostics)
            events.removeLast(events.count - roundStart.events)
            merged = roundStart.reports
            if let first = passes.first {
              merged[first.name, default: (before, before, [:], 0, 0)].counters[
                "round undone: over the node budget", default: 0] += 1
            }
            break
          }
          if !changed && graph.nodes.count == before { break }
        }
        for pass in passes {
          guard let entry = merged[pass.name] else { continue }
          let counters = entry.counters.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
          reports.append(
            PassReport(
              name: pass.name, nodesBefore: entry.before, nodesAfter: entry.after,
              counters: counters, seconds: entry.seconds, runs: entry.runs))
        }
      }
    }
    return Result(graph: graph, reports: reports, diagnostics: diagnostics, events: events)
  }

  /// Runs one pass and verifies its result (against `verified` when that is the graph the pass
  /// was given, which then becomes the result).
  private func runOnce(_ pass: any Pass, _ graph: Graph, verified: inout Graph?)
    throws(PassFailure) -> (Graph, PassReport, PassContext)
  {
    var context = PassContext()
    let start = DispatchTime.now().uptimeNanoseconds
    let next = try pass.run(graph, &context)
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    if verifyEach && !next.isIdentical(to: graph) {
      let checked = verified.flatMap { $0.isIdentical(to: graph) ? $0 : nil }
      do {
        try next.verify(since: checked)
      } catch {
        throw .internal(pass: pass.name, message: error.message)
      }
      verified = next
    }
    if let checkEach, !context.events.isEmpty {
      for diagnostic in checkEach(graph, next, context.events) { context.warn(diagnostic) }
    }
    let report = PassReport(
      name: pass.name, nodesBefore: graph.nodes.count, nodesAfter: next.nodes.count,
      counters: context.sortedCounters, seconds: seconds, runs: 1)
    return (next, report, context)
  }
}

extension PassManager {
  /// Runs `other`'s stages after this manager's own.
  public mutating func append(_ other: PassManager) { stages += other.stages }
}
