import Dispatch
import FFCTensor
import Foundation
import Synchronization
import Testing

/// `Compute.runParts`, the pool that splits products and updates between threads: every part
/// of every region runs exactly once and is finished when the call returns, with several callers
/// at once (all but one fall back to `concurrentPerform`), regions back to back (workers still
/// spinning), after a pause (workers parked), and parts that split again inside.
@Suite(.timeLimit(.minutes(1))) struct PartRunnerTests {
  /// Runs `regions` regions of 1–5 parts and checks each part ran once before its region ended.
  static func runRegions(_ regions: Int, seed: Int) {
    for region in 0..<regions {
      let count = 1 + (region * 7 + seed) % 5
      let counts = UnsafeMutablePointer<Int>.allocate(capacity: count)
      counts.initialize(repeating: 0, count: count)
      let address = UInt(bitPattern: counts)
      Compute.runParts(count) { part in
        // Each part owns its slot, so plain writes suffice; the return of runParts orders them.
        UnsafeMutablePointer<Int>(bitPattern: address)![part] += 1
      }
      #expect((0..<count).allSatisfy { counts[$0] == 1 }, "region \(region) of \(count) parts")
      counts.deallocate()
    }
  }

  @Test func everyPartRunsOnceBackToBack() {
    Self.runRegions(20_000, seed: 0)
  }

  @Test func everyPartRunsOnceWithSeveralCallers() {
    DispatchQueue.concurrentPerform(iterations: 4) { caller in
      Self.runRegions(3_000, seed: caller)
    }
  }

  @Test func workersWakeAfterParking() {
    for round in 0..<5 {
      Self.runRegions(10, seed: round)
      Thread.sleep(forTimeInterval: 0.003)  // well past the workers' spin, so they park
    }
  }

  @Test func partsThatSplitAgainFinish() {
    let total = Atomic<Int>(0)
    Compute.runParts(3) { _ in
      Compute.runParts(4) { _ in total.add(1, ordering: .relaxed) }
    }
    #expect(total.load(ordering: .relaxed) == 12)
  }
}
