import Dispatch
import Foundation
import Synchronization

extension Compute {
  /// Runs `body(0) ... body(count - 1)`, on the calling thread and the pool's waiting threads
  /// together. Which thread runs a part does not matter: each part writes its own outputs, so
  /// the values do not depend on the split.
  ///
  /// Why not `DispatchQueue.concurrentPerform` alone: a training step runs a dozen parallel
  /// regions a millisecond apart (W1: eight products and the update), and waking a parked worker
  /// through the kernel took tens of microseconds a region on the project's virtual machines.
  /// The pool's threads instead wait for the next region spinning for a short while
  /// (`PartPool.spinLimit`), then park. A call made while the pool is busy (another caller, or
  /// a part that itself splits) falls back to `concurrentPerform`.
  public static func runParts(_ count: Int, _ body: @Sendable (Int) -> Void) {
    if count <= 1 {
      if count == 1 { body(0) }
      return
    }
    withoutActuallyEscaping(body) { body in
      if !PartPool.shared.run(count, body) {
        DispatchQueue.concurrentPerform(iterations: count, execute: body)
      }
    }
  }
}

/// The threads `Compute.runParts` shares a region with: one fewer than `Compute.threadLimit`
/// (at most the cores), started on first use and kept for the process.
///
/// A region: the caller publishes the body and its part count, opens the region and bumps the
/// generation, wakes parked workers, then takes parts itself; parts are claimed one at a time,
/// so a worker that is slow to wake leaves its parts to the caller. A worker joins a region by
/// counting itself active and then finding it open; once every part is claimed the caller closes
/// the region and returns only when no worker is active (a worker's claims all come after it
/// counted itself, so every part is then done), so the body is never read after `run`
/// returns and a worker never sees half of a region.
final class PartPool: @unchecked Sendable {
  static let shared = PartPool(
    workers: max(0, min(Compute.threadLimit, ProcessInfo.processInfo.activeProcessorCount) - 1))

  /// How many polls a waiting worker makes before it parks (on the order of 100 µs).
  static let spinLimit = 20_000

  private let workerCount: Int
  /// Held (true) by the caller whose region the pool runs.
  private let busy = Atomic<Bool>(false)
  private let open = Atomic<Bool>(false)
  /// Bumped once per region; a waiting worker that sees a new value tries to join.
  private let generation = Atomic<Int>(0)
  private let nextPart = Atomic<Int>(0)
  private let active = Atomic<Int>(0)
  /// Workers registered to park on `wake`.
  private let parked = Atomic<Int>(0)
  private let wake = DispatchSemaphore(value: 0)
  private let started = Atomic<Bool>(false)
  // Written by the caller before the region opens, read by workers only while they are active
  // in an open region (sequentially consistent atomics order the accesses).
  nonisolated(unsafe) private var body: (@Sendable (Int) -> Void)? = nil
  nonisolated(unsafe) private var count = 0

  private init(workers: Int) { workerCount = workers }

  /// Runs the region on the pool, or returns false when the pool has no threads or is busy.
  func run(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) -> Bool {
    guard workerCount > 0, acquire(busy) else { return false }
    if acquire(started) { startWorkers() }
    (self.body, self.count) = (body, count)
    nextPart.store(0, ordering: .sequentiallyConsistent)
    open.store(true, ordering: .sequentiallyConsistent)
    generation.add(1, ordering: .sequentiallyConsistent)
    while decrementIfPositive(parked) != nil { wake.signal() }
    takeParts()
    open.store(false, ordering: .sequentiallyConsistent)
    waitUntilZero(active)
    self.body = nil
    busy.store(false, ordering: .sequentiallyConsistent)
    return true
  }

  private func acquire(_ flag: borrowing Atomic<Bool>) -> Bool {
    flag.compareExchange(expected: false, desired: true, ordering: .sequentiallyConsistent)
      .exchanged
  }

  private func decrementIfPositive(_ counter: borrowing Atomic<Int>) -> Int? {
    var value = counter.load(ordering: .sequentiallyConsistent)
    while value > 0 {
      let (exchanged, now) = counter.compareExchange(
        expected: value, desired: value - 1, ordering: .sequentiallyConsistent)
      if exchanged { return value }
      value = now
    }
    return nil
  }

  /// Spins, yielding the core now and then so a descheduled worker can finish its part.
  private func waitUntilZero(_ counter: borrowing Atomic<Int>) {
    var polls = 0
    while counter.load(ordering: .sequentiallyConsistent) > 0 {
      polls += 1
      if polls % 1024 == 0 { sched_yield() }
    }
  }

  private func takeParts() {
    while true {
      let part = nextPart.add(1, ordering: .sequentiallyConsistent).oldValue
      guard part < count, let body else { return }
      body(part)
    }
  }

  private func startWorkers() {
    for _ in 0..<workerCount {
      let thread = Thread { [self] in work() }
      thread.stackSize = 1 << 20
      thread.start()
    }
  }

  private func work() {
    var seen = generation.load(ordering: .sequentiallyConsistent)
    while true {
      waitForRegion(after: seen)
      seen = generation.load(ordering: .sequentiallyConsistent)
      active.add(1, ordering: .sequentiallyConsistent)
      if open.load(ordering: .sequentiallyConsistent) { takeParts() }
      active.subtract(1, ordering: .sequentiallyConsistent)
    }
  }

  /// Polls for a generation other than `seen`, then parks: registered first and the generation
  /// looked at again, so a region published in between is not slept through; a worker whose
  /// registration the caller already took must consume the caller's signal.
  private func waitForRegion(after seen: Int) {
    var polls = 0
    while generation.load(ordering: .sequentiallyConsistent) == seen {
      polls += 1
      if polls < Self.spinLimit { continue }
      parked.add(1, ordering: .sequentiallyConsistent)
      if generation.load(ordering: .sequentiallyConsistent) == seen
        || decrementIfPositive(parked) == nil
      {
        wake.wait()
      }
      polls = 0
    }
  }
}
