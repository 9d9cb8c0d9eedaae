import FFCIR
import FFCPasses
import FFCRuntime

/// The `--stats` lines about the interpreter's plan for a compiled graph: the graph as it runs
/// (elementwise chains fused), how many instructions and buffers it has (and how many matrix
/// products run with their reader's bias and activation) and its peak memory, with and without
/// buffer reuse.
enum PlanSummary {
  /// `fused`: the graph is already the execution graph (`compile --fuse`).
  static func render(_ printed: Graph, bindings: [String: Int], fused: Bool) -> String {
    let graph = fused ? printed : ((try? Pipeline.execution().run(printed).graph) ?? printed)
    var sizes = bindings
    for node in graph.nodes {
      for symbol in node.shape.symbols where sizes[symbol] == nil { sizes[symbol] = 1 }
    }
    let bound = sizes.keys.sorted().map { "\($0) = \(sizes[$0] ?? 1)" }.joined(separator: ", ")
    var out =
      fused
      ? ""
      : "fused for execution: \(operations(printed)) -> \(operations(graph)) ops (\(graph.fusedNodeCount) fused nodes)\n"
    out += "plan" + (bound.isEmpty ? "" : " (\(bound))") + ":\n"
    out += line(Float.self, graph, sizes) + line(Double.self, graph, sizes)
    return out
  }

  static func line<T: PlanScalar>(_: T.Type, _ graph: Graph, _ sizes: [String: Int]) -> String {
    let plan: Plan<T>
    do throws(EvaluationError) {
      plan = try Plan<T>(graph, bindings: sizes)
    } catch {
      return "  \(T.precision): cannot be planned for these sizes: \(error.message)\n"
    }
    let s = plan.statistics
    let fallback =
      s.fallbackOps.isEmpty
      ? "" : ", reference kernels for \(s.fallbackOps.joined(separator: ", "))"
    // A product fused with its reader (the reader's bias, activation or ReLU mask applied as C
    // is stored, `EpilogueFusion`) runs the two counted instructions as one.
    let epilogues =
      s.epilogues == 0
      ? ""
      : " (\(s.instructions - s.epilogues) run, \(s.epilogues) matmul epilogues fused)"
    return
      "  \(s.precision): \(s.instructions) instructions\(epilogues), \(s.buffers) buffers, peak memory \(bytes(s.peakBytes)) (\(bytes(s.unsharedBytes)) without buffer reuse)\(fallback)\n"
  }

  /// Nodes that run (leaves and constants left out), as PyTensor counts apply nodes.
  static func operations(_ graph: Graph) -> Int { graph.operationCount }

  static func bytes(_ count: Int) -> String {
    if count < 10 * 1024 { return "\(count) B" }
    if count < 10 * 1024 * 1024 { return "\(count / 1024) KiB" }
    return "\(count / (1024 * 1024)) MiB"
  }
}
