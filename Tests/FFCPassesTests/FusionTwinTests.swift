import FFCDriver
import FFCPasses
import FFCTestSupport
import Testing

@testable import FFCIR

/// Fusion builds its graph without a builder. A node it leaves in its place on the same operands
/// is the very node, and one it moves is a renumbered copy that names the node it copies, so
/// verification after fusion checks those against their twins instead of running every shape
/// rule again.
@Suite struct FusionTwinTests {
  @Test func everyNodeFusionCopiesHasACheckedTwin() throws {
    let text = MLPGenerator.program(depth: 4, width: 3)
    let graph = try Programs.compile(text)
    var context = PassContext()
    let fused = try ElementwiseFusion().run(graph, &context)
    #expect(fused.nodes.count < graph.nodes.count)
    var copies = 0
    for index in fused.nodes.indices where fused.nodes[index].op !== Op.fused {
      if fused.isKept(index, from: graph) { continue }
      #expect(
        fused.hasCheckedTwin(index, in: graph), "node \(index) (\(fused.nodes[index].op.name))")
      copies += 1
    }
    #expect(copies > 0)
    try fused.verify(since: graph)
  }
}
