import Foundation  // sched_yield
import Synchronization

/// The work of one large product that several threads do together, handed out as they come
/// free (BLIS's shared packed panels, with the blocks claimed instead of split ahead of time).
///
/// Why: a split fixed in advance (one part of C per thread, each packing its own operands)
/// finishes when its slowest part does, so two threads gave twice the slower core's rate; on
/// the project's virtual machines one core often ran at two-thirds of the other's speed (an
/// Intel Xeon: 186 GFLOP/s on two threads while one alone ran at 145), as would a hybrid CPU's
/// efficiency core. And a row split packed the whole of B in every part.
///
/// The product is walked as panels: `kc` steps of k by `nc` columns of C, columns outer, as the
/// one-thread loop. A panel's items, in the order they are claimed: pack each block of A's
/// `blockRows` rows, pack each chunk of B's `chunkColumns` columns, then multiply every block by
/// every chunk. Packed panels alternate between two buffers, so one panel's packing overlaps
/// the last products of the panel before.
///
/// Every item waits only on items claimed before it: a product on its panel's packs and on the
/// same block of C in the panel before (the sums go over k in order, as on one thread, so the
/// bits do not depend on the threads); a pack on the products of the panel two before, which
/// read the buffer it overwrites. The oldest unfinished item therefore never waits, so the
/// threads cannot deadlock, and one thread alone runs every item in order without waiting
/// (a thread pool may run all of a region's parts on its caller).
public final class SharedPanels: @unchecked Sendable {
  /// What an item does within its panel.
  public enum Work: Equatable, Sendable {
    case packA(block: Int)
    case packB(chunk: Int)
    case multiply(block: Int, chunk: Int)
  }

  /// One panel: depth `p0 ..< p0 + depth` of k, columns `j0 ..< j0 + columns` of C.
  public struct Panel: Equatable, Sendable {
    public let index: Int
    public let j0: Int
    public let columns: Int
    public let p0: Int
    public let depth: Int
    /// Which of the two packed buffers the panel uses.
    public var buffer: Int { index % 2 }
    public let chunks: Int
  }

  public struct Item: Equatable, Sendable {
    public let panel: Panel
    public let work: Work
  }

  /// Where a thread is in the claim order; each thread's claims only move forward.
  public struct Cursor {
    var panel = 0
    var panelStart = 0
    public init() {}
  }

  public let m: Int
  public let k: Int
  public let n: Int
  public let kc: Int
  public let nc: Int
  public let blockRows: Int
  public let chunkColumns: Int
  public let rowBlocks: Int
  /// Elements of one packed A buffer (every block of a panel, each `roundUp(blockRows, mr)`
  /// rows) and of one packed B buffer, each a whole number of cache lines of f64.
  public let aBufferCount: Int
  public let bBufferCount: Int
  let mr: Int
  let panelsAlongK: Int
  let panelCount: Int
  let maxChunks: Int
  private let counters: UnsafeMutablePointer<Atomic<Int>>
  private let counterCount: Int

  /// `blockRows` a multiple of `mr`, `chunkColumns` of `nr`, every size positive.
  public init(
    m: Int, k: Int, n: Int, kc: Int, nc: Int, blockRows: Int, chunkColumns: Int, mr: Int, nr: Int
  ) {
    precondition(blockRows % mr == 0 && chunkColumns % nr == 0 && nc % nr == 0)
    (self.m, self.k, self.n, self.kc, self.nc, self.mr) = (m, k, n, kc, nc, mr)
    (self.blockRows, self.chunkColumns) = (blockRows, chunkColumns)
    (aBufferCount, bBufferCount) = Self.bufferCounts(
      m: m, k: k, n: n, kc: kc, nc: nc, blockRows: blockRows, mr: mr, nr: nr)
    rowBlocks = (m + blockRows - 1) / blockRows
    panelsAlongK = (k + kc - 1) / kc
    panelCount = panelsAlongK * ((n + nc - 1) / nc)
    maxChunks = (Swift.min(nc, n) + chunkColumns - 1) / chunkColumns
    let progress = (panelCount / panelsAlongK) * rowBlocks * maxChunks
    counterCount = 1 + 2 * panelCount + progress
    counters = .allocate(capacity: counterCount)
    for i in 0..<counterCount { (counters + i).initialize(to: Atomic(0)) }
  }

  deinit {
    counters.deinitialize(count: counterCount)
    counters.deallocate()
  }

  /// A whole number of 64-byte lines in f32 and in f64.
  static let lineElements = 16

  /// The elements of one packed A buffer and one packed B buffer (`aBufferCount`,
  /// `bBufferCount`), for sizing the scratch before a schedule exists.
  public static func bufferCounts(
    m: Int, k: Int, n: Int, kc: Int, nc: Int, blockRows: Int, mr: Int, nr: Int
  ) -> (a: Int, b: Int) {
    func lines(_ count: Int) -> Int { (count + lineElements - 1) / lineElements * lineElements }
    let depth = Swift.min(kc, k)
    let blocks = (m + blockRows - 1) / blockRows
    let columns = (Swift.min(nc, n) + nr - 1) / nr * nr
    return (lines(blocks * blockRows * depth), lines(depth * columns))
  }

  /// Scratch for both buffers of A then both of B.
  public var scratchCount: Int { 2 * (aBufferCount + bBufferCount) }

  /// The offsets of a panel's packed buffers in the scratch.
  public func aBufferOffset(_ panel: Panel) -> Int { panel.buffer * aBufferCount }
  public func bBufferOffset(_ panel: Panel) -> Int {
    2 * aBufferCount + panel.buffer * bBufferCount
  }

  /// The rows of block `block` (the last may be short).
  public func rows(ofBlock block: Int) -> Range<Int> {
    block * blockRows..<Swift.min(m, (block + 1) * blockRows)
  }

  /// The columns of chunk `chunk` within its panel.
  public func columns(ofChunk chunk: Int, in panel: Panel) -> Range<Int> {
    chunk * chunkColumns..<Swift.min(panel.columns, (chunk + 1) * chunkColumns)
  }

  func panel(_ index: Int) -> Panel {
    let (jc, pc) = (index / panelsAlongK, index % panelsAlongK)
    let (j0, p0) = (jc * nc, pc * kc)
    let columns = Swift.min(nc, n - j0)
    return Panel(
      index: index, j0: j0, columns: columns, p0: p0, depth: Swift.min(kc, k - p0),
      chunks: (columns + chunkColumns - 1) / chunkColumns)
  }

  private func packs(_ panel: Panel) -> Int { rowBlocks + panel.chunks }
  private func multiplies(_ panel: Panel) -> Int { rowBlocks * panel.chunks }

  /// Claims the next item and waits until the items it depends on are done; nil when every
  /// item has been claimed. Call `finish` when the item is done.
  public func claim(_ cursor: inout Cursor) -> Item? {
    guard cursor.panel < panelCount else { return nil }
    let index = counters[0].add(1, ordering: .sequentiallyConsistent).oldValue
    var panel = self.panel(cursor.panel)
    while index >= cursor.panelStart + packs(panel) + multiplies(panel) {
      cursor.panelStart += packs(panel) + multiplies(panel)
      cursor.panel += 1
      guard cursor.panel < panelCount else { return nil }
      panel = self.panel(cursor.panel)
    }
    var offset = index - cursor.panelStart
    if offset < packs(panel) {
      if panel.index >= 2 {
        let before = self.panel(panel.index - 2)
        wait(for: multipliesDone(before.index), toReach: multiplies(before))
      }
      let work: Work =
        offset < rowBlocks ? .packA(block: offset) : .packB(chunk: offset - rowBlocks)
      return Item(panel: panel, work: work)
    }
    offset -= packs(panel)
    let (block, chunk) = offset.quotientAndRemainder(dividingBy: panel.chunks)
    wait(for: packsDone(panel.index), toReach: packs(panel))
    let pc = panel.index % panelsAlongK
    wait(for: progress(panel, block: block, chunk: chunk), toReach: pc)
    return Item(panel: panel, work: .multiply(block: block, chunk: chunk))
  }

  /// Publishes a finished item (its writes then visible to the items waiting on it).
  public func finish(_ item: Item) {
    switch item.work {
    case .packA, .packB:
      counters[packsDone(item.panel.index)].add(1, ordering: .sequentiallyConsistent)
    case .multiply(let block, let chunk):
      counters[progress(item.panel, block: block, chunk: chunk)].add(
        1, ordering: .sequentiallyConsistent)
      counters[multipliesDone(item.panel.index)].add(1, ordering: .sequentiallyConsistent)
    }
  }

  private func packsDone(_ panel: Int) -> Int { 1 + panel }
  private func multipliesDone(_ panel: Int) -> Int { 1 + panelCount + panel }
  /// How many panels of depth the block × chunk rectangle of C has had added.
  private func progress(_ panel: Panel, block: Int, chunk: Int) -> Int {
    let jc = panel.index / panelsAlongK
    return 1 + 2 * panelCount + (jc * rowBlocks + block) * maxChunks + chunk
  }

  /// Spins until the counter reaches `target`, yielding the core now and then so that a
  /// descheduled thread doing the awaited item can run.
  private func wait(for counter: Int, toReach target: Int) {
    var polls = 0
    while counters[counter].load(ordering: .sequentiallyConsistent) < target {
      polls += 1
      if polls % 256 == 0 { sched_yield() }
    }
  }
}
