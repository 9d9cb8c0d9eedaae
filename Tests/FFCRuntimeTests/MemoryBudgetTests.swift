import FFCRuntime
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

  @Test func theLimitIsPositiveAndNamed() {
    #expect(MemoryBudget.limitBytes > 0)
    #expect(MemoryBudget.limit.phrase.contains("GiB") || MemoryBudget.limit.phrase.contains("MiB"))
  }
}
