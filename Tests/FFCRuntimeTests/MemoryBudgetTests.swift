import FFCIR
import FFCRuntime
import FFCTestSupport
import Testing

/// The budget's checked allocation: what the system refuses is an error, not an abort.
@Suite struct MemoryBudgetTests {
  @Test func aRefusedAllocationIsAnError() {
    #expect(throws: EvaluationError.self) {
      let buffer: UnsafeMutablePointer<Double> = try MemoryBudget.allocate(
        Int.max / 16, of: "a test buffer", at: nil)
      MemoryBudget.release(buffer)
    }
    #expect(throws: EvaluationError.self) {
      let buffer: UnsafeMutablePointer<Double> = try MemoryBudget.allocate(
        Int.max, of: "an overflowing buffer", at: nil)
      MemoryBudget.release(buffer)
    }
  }

  @Test func anAllocationIsZeroed() throws {
    let buffer: UnsafeMutablePointer<Float> = try MemoryBudget.allocate(1000, of: "x", at: nil)
    defer { MemoryBudget.release(buffer) }
    #expect((0..<1000).allSatisfy { buffer[$0] == 0 })
  }

  /// Buffers start on a cache line (the plan lays its values out on lines within its arena), at
  /// any size, and are released without error.
  @Test func anAllocationStartsOnACacheLine() throws {
    for count in [1, 3, 16, 1000, 1 << 20] {
      let floats: UnsafeMutablePointer<Float> = try MemoryBudget.allocate(count, of: "x", at: nil)
      let doubles: UnsafeMutablePointer<Double> = try MemoryBudget.allocate(count, of: "y", at: nil)
      #expect(Int(bitPattern: floats) % 64 == 0)
      #expect(Int(bitPattern: doubles) % 64 == 0)
      floats[count - 1] = 1
      doubles[count - 1] = 1
      MemoryBudget.release(floats)
      MemoryBudget.release(doubles)
    }
  }

  @Test func theLimitIsPositiveAndNamed() {
    #expect(MemoryBudget.limitBytes > 0)
    #expect(MemoryBudget.limit.phrase.contains("GiB") || MemoryBudget.limit.phrase.contains("MiB"))
  }

  /// A data default given as one number for a large shape is kept as that number by the front end
  /// (`Declaration.defaultIsFill`) and spread to the declared shape when the program runs.
  @Test func aFillDefaultIsSpreadWhenTheProgramRuns() throws {
    let large = try Programs.lower("input x[4097, 4097] = 0.5\nloss L = sum(x)\n")
    #expect(large.declarations[0].defaultIsFill)
    #expect(large.declarations[0].defaultShape == [4097, 4097])
    // The same, small enough to run here: the declaration as the front end keeps a large one.
    var graph = try Programs.lower("input x[2, 3] = 0.5\nloss L = sum(x)\n")
    let d = graph.declarations[0]
    graph.declarations[0] = Declaration(
      name: d.name, kind: d.kind, node: d.node, shape: d.shape, defaultValue: Tensor(0.5),
      location: d.location)
    #expect(graph.declarations[0].defaultIsFill)
    let leaves = try LeafValues(graph, feeds: [:], seed: 0)
    #expect(leaves.values[0].value == Tensor(repeating: 0.5, shape: [2, 3]))
    #expect(try Programs.evaluate(graph).loss == Tensor(3))
  }
}
