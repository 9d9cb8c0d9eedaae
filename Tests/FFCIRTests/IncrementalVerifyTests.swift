import FFCTestSupport
import Testing

@testable import FFCIR

/// Verification after a pass checks again only what the pass changed: a rebuild keeps the nodes
/// it did not touch (the same node, not an equal copy), and those are skipped; every other node,
/// and every node reading a changed one, is checked as before.
@Suite struct IncrementalVerifyTests {
  static let program =
    "input x[N, 3]\nparam w[3] = [1, 2, 3]\nh = tanh(x * w)\nloss L = sum(h * h)\n"

  @Test func aRebuildKeepsTheNodesItDidNotChange() throws {
    let graph = try Programs.lower(Self.program)
    // Replaces the tanh with a sigmoid of the same operand: everything before it is kept, and so
    // is everything after it (the node count and places do not change).
    let changed = try graph.rebuilt { node, inputs, builder in
      node.op === Op.tanh ? try builder.emit(Op.sigmoid, inputs) : nil
    }
    // The sigmoid is appended where the tanh was, so only it differs from the old graph.
    #expect(changed.nodes.count == graph.nodes.count)
    #expect(changed.keptNodes(graph).count { !$0 } == 1)
    try changed.verify(since: graph)
    try changed.verify()
  }

  /// A node that is not a copy of the verified graph's is checked, with or without `since`.
  @Test func aChangedNodeIsStillChecked() throws {
    let graph = try Programs.lower(Self.program)
    var nodes = graph.nodes
    let index = try #require(nodes.firstIndex { $0.op === Op.tanh })
    let bad = nodes[index]
    nodes[index] = Node(
      op: bad.op, inputs: bad.inputs, attributes: bad.attributes, shape: [7], name: bad.name,
      location: bad.location, isGradient: bad.isGradient)
    let broken = Graph(
      name: graph.name, nodes: nodes, declarations: graph.declarations, outputs: graph.outputs,
      loss: graph.loss, gradients: graph.gradients)
    #expect(throws: VerificationError.self) { try broken.verify(since: graph) }
    #expect(throws: VerificationError.self) { try broken.verify() }
  }

  /// A renumbered copy of a checked node (`withInputs(_:from:)`, which notes its twin) is spared
  /// the shape rule only when its operands have its twin's shapes: reading an operand of another
  /// shape, it is checked and caught.
  @Test func aCopyReadingAnOperandOfAnotherShapeIsStillChecked() throws {
    let graph = try Programs.lower(Self.program)
    let index = try #require(graph.nodes.firstIndex { $0.op === Op.tanh })
    let tanh = graph.nodes[index]
    let operandShape = graph.nodes[tanh.inputs[0].index].shape
    let other = try #require(
      graph.nodes.indices.first { $0 < index && graph.nodes[$0].shape != operandShape })
    func replaced(_ node: Node) -> Graph {
      var nodes = graph.nodes
      nodes[index] = node
      return Graph(
        name: graph.name, nodes: nodes, declarations: graph.declarations, outputs: graph.outputs,
        loss: graph.loss, gradients: graph.gradients)
    }
    // The same operand: the twin's shapes, so no shape rule is needed and the graph passes.
    let same = replaced(tanh.withInputs(tanh.inputs, from: index))
    #expect(same.hasCheckedTwin(index, in: graph))
    try same.verify(since: graph)
    // An operand of another shape: no twin, and the shape rule catches it.
    let broken = replaced(tanh.withInputs([NodeID(other)], from: index))
    #expect(!broken.hasCheckedTwin(index, in: graph))
    #expect(throws: VerificationError.self) { try broken.verify(since: graph) }
    #expect(throws: VerificationError.self) { try broken.verify() }
  }
}
