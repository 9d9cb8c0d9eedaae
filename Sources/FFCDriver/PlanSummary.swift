import FFCIR
import FFCRuntime

/// The `--stats` lines about the interpreter's plan for a compiled graph: how many instructions
/// and buffers it has and its peak memory, with and without buffer reuse.
enum PlanSummary {
  static func render(_ graph: Graph, bindings: [String: Int]) -> String {
    var sizes = bindings
    for node in graph.nodes {
      for symbol in node.shape.symbols where sizes[symbol] == nil { sizes[symbol] = 1 }
    }
    let bound = sizes.keys.sorted().map { "\($0) = \(sizes[$0] ?? 1)" }.joined(separator: ", ")
    var out = "plan" + (bound.isEmpty ? "" : " (\(bound))") + ":\n"
    out += line(Float.self, graph, sizes) + line(Double.self, graph, sizes)
    return out
  }

  static func line<T: PlanScalar>(_: T.Type, _ graph: Graph, _ sizes: [String: Int]) -> String {
    guard let plan = try? Plan<T>(graph, bindings: sizes) else { return "  \(T.precisionName): cannot be planned for these sizes\n" }
    let s = plan.statistics
    let fallback = s.fallbackOps.isEmpty ? "" : ", reference kernels for \(s.fallbackOps.joined(separator: ", "))"
    return "  \(s.precision): \(s.instructions) instructions, \(s.buffers) buffers, peak memory \(bytes(s.peakBytes)) (\(bytes(s.unsharedBytes)) without buffer reuse)\(fallback)\n"
  }

  static func bytes(_ count: Int) -> String {
    if count < 10 * 1024 { return "\(count) B" }
    if count < 10 * 1024 * 1024 { return "\(count / 1024) KiB" }
    return "\(count / (1024 * 1024)) MiB"
  }
}
