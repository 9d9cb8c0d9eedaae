import FFCIR
import FFCTensor
import Testing

/// When a reshape is valid for every batch size, and what its -1 stands for.
@Suite struct ReshapeRuleTests {
  @Test func sameSymbolsAndFixedCountAreCompatible() {
    #expect(ReshapeRule.compatible(Shape([.symbol("N"), 12]), Shape([.symbol("N"), 4, 3])))
    #expect(ReshapeRule.compatible(Shape([.symbol("N"), 12]), Shape([12, .symbol("N")])))
    #expect(!ReshapeRule.compatible(Shape([.symbol("N"), 12]), Shape([.symbol("N"), 5, 3])))
    #expect(!ReshapeRule.compatible(Shape([.symbol("N"), 12]), Shape([.symbol("M"), 12])))
    #expect(!ReshapeRule.compatible(Shape([.symbol("N"), 12]), Shape([12])))
  }

  @Test func overflowingCountsAreNeverCompatible() {
    let huge = 1 << 31
    #expect(!ReshapeRule.compatible(Shape([huge, huge, 4]), Shape([huge, huge, 8])))
  }

  @Test func minusOneIsInferredFromTheFixedSizes() throws {
    let from = Shape([.symbol("N"), 12])
    #expect(
      try ReshapeRule.resolve([.symbol("N"), 2, nil], from: from) == Shape([.symbol("N"), 2, 6]))
    #expect(try ReshapeRule.resolve([nil, 3], from: Shape([2, 6])) == Shape([4, 3]))
    #expect(throws: ShapeError.self) { try ReshapeRule.resolve([nil, 5], from: Shape([2, 6])) }
    #expect(throws: ShapeError.self) { try ReshapeRule.resolve([nil], from: from) }
    #expect(throws: ShapeError.self) { try ReshapeRule.resolve([nil, nil], from: Shape([4])) }
  }
}
