import FFCTestSupport
import Testing

@testable import FFCIR

/// A node's fields are one object that copies share. Naming a node whose fields no other node
/// holds sets the name in place; naming one whose fields are shared gives it its own, so a copy
/// (another graph's node, a builder continuing a graph) never sees the new name.
@Suite struct NodeRenameTests {
  static let program =
    "input x[N, 3]\nparam w[3] = [1, 2, 3]\nh = tanh(x * w)\nloss L = sum(h * h)\n"

  @Test func renamingACopyLeavesTheOriginalsName() throws {
    let graph = try Programs.lower(Self.program)
    let index = try #require(graph.nodes.firstIndex { $0.op === Op.tanh })
    var copy = graph.nodes[index]
    copy.name = "renamed"
    #expect(copy.name == "renamed")
    #expect(graph.nodes[index].name == "h")
  }

  @Test func aBuilderContinuingAGraphRenamesOnlyItsOwnNode() throws {
    let graph = try Programs.lower(Self.program)
    let index = try #require(graph.nodes.firstIndex { $0.op === Op.tanh })
    let builder = GraphBuilder(continuing: graph)
    builder.rename(NodeID(index), "renamed")
    #expect(builder[NodeID(index)].name == "renamed")
    #expect(graph.nodes[index].name == "h")
  }

  @Test func aNodeNoOtherHoldsIsRenamedInPlace() {
    var node = Node(op: Op.const, inputs: [], attributes: .none, shape: .scalar)
    let fields = ObjectIdentifier(node.fields)
    node.name = "a"
    #expect(node.name == "a")
    #expect(ObjectIdentifier(node.fields) == fields)
    let shared = node
    node.name = "b"
    #expect(ObjectIdentifier(node.fields) != fields)
    #expect(shared.name == "a")
    #expect(node.name == "b")
  }

  /// Attributes made from pairs are sorted by key, a later pair replacing an earlier one.
  @Test func attributesFromPairsAreSortedAndTheLastPairWins() {
    let attributes = Attributes([("b", .int(1)), ("a", .int(2)), ("b", .int(3))])
    #expect(attributes.entries.map(\.key) == ["a", "b"])
    #expect(attributes["a"] == .int(2))
    #expect(attributes["b"] == .int(3))
    #expect(attributes == Attributes([("a", .int(2)), ("b", .int(3))]))
  }
}
