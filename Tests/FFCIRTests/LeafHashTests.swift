import FFCTensor
import Testing

@testable import FFCIR

/// Leaves are told apart in the hash-consing index by a hash of their attributes alone: equal
/// attributes must hash equal (else the builder would make a leaf twice), and a node moved by a
/// rebuild keeps its hash when its operands are the same.
@Suite struct LeafHashTests {
  static func leaf(_ name: String, _ shape: Shape) -> Attributes {
    Attributes([("name", .string(name)), ("shape", .shape(shape))])
  }

  @Test func equalLeafAttributesHashEqual() {
    // Strings made separately (not one shared storage), and symbolic dimensions.
    let name = ["h1", "W"].joined(separator: ".")
    let a = Self.leaf(name, Shape([.symbol("N"), .fixed(32)]))
    let b = Self.leaf("h1.W", Shape([.symbol(String("NM".prefix(1))), .fixed(32)]))
    #expect(a == b)
    #expect(NodeTable.hash(Op.param, [], a) == NodeTable.hash(Op.param, [], b))
    let constant = Attributes([("value", .tensor(Tensor(2)))])
    #expect(
      NodeTable.hash(Op.const, [], constant)
        == NodeTable.hash(Op.const, [], Attributes([("value", .tensor(Tensor(2)))])))
  }

  @Test func leavesThatDifferHashApart() {
    let hashes = Set(
      ["h1.W", "h2.W", "h1.b", "h12.W", "h21.W"].flatMap { name in
        [Shape([32, 32]), Shape([32]), Shape([.symbol("N"), .fixed(32)])].map {
          NodeTable.hash(Op.param, [], Self.leaf(name, $0))
        }
      })
    #expect(hashes.count == 15)
  }

  @Test func aLeafAskedForTwiceIsOneNode() {
    let builder = GraphBuilder()
    let first = builder.leaf(Op.param, name: "w", shape: [3])
    _ = builder.leaf(Op.param, name: "v", shape: [3])
    #expect(builder.leaf(Op.param, name: ["w"].joined(), shape: [3]) == first)
    #expect(builder.count == 2)
  }

  @Test func aMovedNodeOnTheSameOperandsKeepsItsHash() {
    let builder = GraphBuilder()
    let w = builder.leaf(Op.param, name: "w", shape: [3])
    let node = builder[w]
    let moved = node.withInputs([], from: 5)
    #expect(moved.tableHash == node.tableHash)
    #expect(moved.origin == 5)
  }
}
