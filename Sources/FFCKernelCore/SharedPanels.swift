import Foundation  // sched_yield
import Synchronization

/// The work of one large product that several threads do together, handed out as they come
/// free: one operand's panel is packed once into a buffer all threads read, and C is cut into
/// slices, each of which a thread claims, packs its own slice of the other operand for, and
/// multiplies.
///
/// Why: a split fixed in advance (one part of C per thread) finishes when its slowest part does,
/// so two threads gave twice the slower core's rate; on the project's virtual machines one core
/// often ran at two-thirds of the other's speed (an Intel Xeon: 186 GFLOP/s on two threads while
/// one alone ran at 145), as would a hybrid CPU's efficiency core. And each part packed the whole
/// of the operand it did not split.
///
/// The shared operand is the smaller one, since every slice reads all of its panel: A (slices
/// are columns of C) when m < n, else B (slices are rows). The slices' own operand is packed
/// into the claiming thread's buffer and stays in its caches, as in a split made ahead.
///
/// Slices shrink along C (guided self-scheduling): each is the 2·threads-th part of what is
/// left, but no smaller than `minimumSlice`, so the first are large (few items, each block of
/// the own operand reused long) and the last small, and a thread that finishes first waits for
/// at most a small slice of the other's.
///
/// The product is walked as panels: `kc` steps of k by `nc` columns of C, columns outer, as the
/// one-thread loop. A panel's items, in the order they are claimed: pack each part of the shared
/// operand, then each slice. Shared panels alternate between two buffers, so one panel's packing
/// overlaps the last slices of the panel before.
///
/// Every item waits only on items claimed before it: a slice on its panel's packs and on the
/// same slice of C in the panel before (the sums go over k in order, as on one thread, so the
/// bits do not depend on the threads); a pack on the slices of the panel two before, which read
/// the buffer it overwrites. The oldest unfinished item therefore never waits, so the threads
/// cannot deadlock, and one thread alone runs every item in order without waiting (a thread pool
/// may run all of a region's parts on its caller).
public final class SharedPanels: @unchecked Sendable {
  /// What an item does within its panel.
  public enum Work: Equatable, Sendable {
    /// Pack part `part` of the shared operand.
    case pack(part: Int)
    /// Pack slice `slice`'s own operand and multiply.
    case multiply(slice: Int)
  }

  /// One panel: depth `p0 ..< p0 + depth` of k, columns `j0 ..< j0 + columns` of C.
  public struct Panel: Equatable, Sendable {
    public let index: Int
    public let j0: Int
    public let columns: Int
    public let p0: Int
    public let depth: Int
    let packs: Int
    let slices: Int
    /// Which of the two shared buffers the panel uses.
    public var buffer: Int { index % 2 }
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
  /// Whether A is the shared operand (slices are columns of C) rather than B (slices are rows).
  public let sharesA: Bool
  /// Rows (or columns) of the shared operand per pack: whole tiles.
  public let packExtent: Int
  /// Where each slice starts along the sliced extent, then the extent's end: for a whole panel
  /// and for the last panel of columns, which may be narrower (sharing A).
  let fullSlices: [Int]
  let lastSlices: [Int]
  /// Elements of one shared buffer and of one thread's own buffer, whole cache lines.
  public let sharedCount: Int
  public let ownCount: Int
  let panelsAlongK: Int
  let panelCount: Int
  let maxSlices: Int
  private let counters: UnsafeMutablePointer<Atomic<Int>>
  private let counterCount: Int

  /// `tile` is (MR, NR); `minimumSlice` and `packExtent` whole tiles along their dimension.
  public init(
    m: Int, k: Int, n: Int, kc: Int, nc: Int, sharesA: Bool, threads: Int, minimumSlice: Int,
    maximumSlice: Int, packExtent: Int, tile: (rows: Int, columns: Int)
  ) {
    let (sliceUnit, packUnit) = sharesA ? (tile.columns, tile.rows) : (tile.rows, tile.columns)
    precondition(
      minimumSlice % sliceUnit == 0 && maximumSlice % sliceUnit == 0
        && minimumSlice <= maximumSlice && packExtent % packUnit == 0 && nc % tile.1 == 0)
    (self.m, self.k, self.n, self.kc, self.nc, self.sharesA) = (m, k, n, kc, nc, sharesA)
    self.packExtent = packExtent
    (sharedCount, ownCount) = Self.bufferCounts(
      m: m, k: k, n: n, kc: kc, nc: nc, sharesA: sharesA, threads: threads,
      slices: minimumSlice...maximumSlice, tile: tile)
    panelsAlongK = (k + kc - 1) / kc
    let panelsAlongN = (n + nc - 1) / nc
    panelCount = panelsAlongK * panelsAlongN
    let (full, last) = sharesA ? (Swift.min(nc, n), n - (panelsAlongN - 1) * nc) : (m, m)
    fullSlices = Self.sliceStarts(
      extent: full, unit: sliceUnit, threads: threads, sizes: minimumSlice...maximumSlice)
    lastSlices = Self.sliceStarts(
      extent: last, unit: sliceUnit, threads: threads, sizes: minimumSlice...maximumSlice)
    maxSlices = Swift.max(fullSlices.count, lastSlices.count) - 1
    counterCount = 2 + 2 * panelCount + (panelCount / panelsAlongK) * maxSlices
    counters = .allocate(capacity: counterCount)
    for i in 0..<counterCount { (counters + i).initialize(to: Atomic(0)) }
  }

  deinit {
    counters.deinitialize(count: counterCount)
    counters.deallocate()
  }

  /// The elements of one shared buffer and of one thread's own (`sharedCount`, `ownCount`), for
  /// sizing the scratch before a schedule exists.
  public static func bufferCounts(
    m: Int, k: Int, n: Int, kc: Int, nc: Int, sharesA: Bool, threads: Int,
    slices: ClosedRange<Int>, tile: (rows: Int, columns: Int)
  ) -> (shared: Int, own: Int) {
    let depth = Swift.min(kc, k)
    let rows = (m + tile.rows - 1) / tile.rows * tile.rows
    let columns = (Swift.min(nc, n) + tile.columns - 1) / tile.columns * tile.columns
    // The first slice is the largest; packed, it is a whole number of tiles even when it is
    // also the last, cut at the extent.
    let unit = sharesA ? tile.columns : tile.rows
    let starts = sliceStarts(
      extent: sharesA ? Swift.min(nc, n) : m, unit: unit, threads: threads, sizes: slices)
    let largest = starts.count > 1 ? (starts[1] + unit - 1) / unit * unit : 0
    return (
      wholeCacheLines(sharesA ? rows * depth : depth * columns), wholeCacheLines(largest * depth)
    )
  }

  /// The slices' starts along `extent`, then `extent`: each slice the 2·threads-th part of what
  /// is left, in whole `unit`s, within `sizes` (the largest a block of A the caches hold); the
  /// last one is cut at the extent.
  public static func sliceStarts(
    extent: Int, unit: Int, threads: Int, sizes: ClosedRange<Int>
  ) -> [Int] {
    var (starts, start) = ([Int](), 0)
    while start < extent {
      starts.append(start)
      let share = (extent - start + 2 * threads - 1) / (2 * threads)
      start += sizes.clamped((share + unit - 1) / unit * unit)
    }
    return starts + [extent]
  }

  /// Scratch for both shared buffers and `threads` threads' own.
  public static func scratchCount(shared: Int, own: Int, threads: Int) -> Int {
    2 * shared + threads * own
  }

  /// The offsets in the scratch of a panel's shared buffer and of a thread's own.
  public func sharedOffset(_ panel: Panel) -> Int { panel.buffer * sharedCount }
  public func ownOffset(_ seat: Int) -> Int { 2 * sharedCount + seat * ownCount }

  /// A number for the calling thread, 0 up, by which it finds its own buffer.
  public func takeSeat() -> Int {
    counters[1].add(1, ordering: .sequentiallyConsistent).oldValue
  }

  /// The rows (sharing B) or the panel's columns (sharing A) of C that slice `slice` covers.
  public func range(ofSlice slice: Int, in panel: Panel) -> Range<Int> {
    let starts = slices(of: panel.columns)
    return starts[slice]..<starts[slice + 1]
  }

  private func slices(of columns: Int) -> [Int] {
    !sharesA || columns == fullSlices.last! ? fullSlices : lastSlices
  }

  /// The rows of A (sharing A) or the panel's columns of B that pack `part` covers.
  public func range(ofPack part: Int, in panel: Panel) -> Range<Int> {
    part * packExtent..<Swift.min(sharesA ? m : panel.columns, (part + 1) * packExtent)
  }

  func panel(_ index: Int) -> Panel {
    let (jc, pc) = (index / panelsAlongK, index % panelsAlongK)
    let (j0, p0) = (jc * nc, pc * kc)
    let columns = Swift.min(nc, n - j0)
    let packed = sharesA ? m : columns
    return Panel(
      index: index, j0: j0, columns: columns, p0: p0, depth: Swift.min(kc, k - p0),
      packs: (packed + packExtent - 1) / packExtent, slices: slices(of: columns).count - 1)
  }

  /// Claims the next item and waits until the items it depends on are done; nil when every
  /// item has been claimed. Call `finish` when the item is done.
  public func claim(_ cursor: inout Cursor) -> Item? {
    guard cursor.panel < panelCount else { return nil }
    let index = counters[0].add(1, ordering: .sequentiallyConsistent).oldValue
    var panel = self.panel(cursor.panel)
    while index >= cursor.panelStart + panel.packs + panel.slices {
      cursor.panelStart += panel.packs + panel.slices
      cursor.panel += 1
      guard cursor.panel < panelCount else { return nil }
      panel = self.panel(cursor.panel)
    }
    let offset = index - cursor.panelStart
    if offset < panel.packs {
      if panel.index >= 2 {
        let before = self.panel(panel.index - 2)
        wait(for: slicesDone(before.index), toReach: before.slices)
      }
      return Item(panel: panel, work: .pack(part: offset))
    }
    let slice = offset - panel.packs
    wait(for: packsDone(panel.index), toReach: panel.packs)
    wait(for: progress(panel, slice: slice), toReach: panel.index % panelsAlongK)
    return Item(panel: panel, work: .multiply(slice: slice))
  }

  /// Publishes a finished item (its writes then visible to the items waiting on it).
  public func finish(_ item: Item) {
    switch item.work {
    case .pack:
      counters[packsDone(item.panel.index)].add(1, ordering: .sequentiallyConsistent)
    case .multiply(let slice):
      counters[progress(item.panel, slice: slice)].add(1, ordering: .sequentiallyConsistent)
      counters[slicesDone(item.panel.index)].add(1, ordering: .sequentiallyConsistent)
    }
  }

  private func packsDone(_ panel: Int) -> Int { 2 + panel }
  private func slicesDone(_ panel: Int) -> Int { 2 + panelCount + panel }
  /// How many panels of depth the slice of C has had added.
  private func progress(_ panel: Panel, slice: Int) -> Int {
    2 + 2 * panelCount + (panel.index / panelsAlongK) * maxSlices + slice
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

extension ClosedRange<Int> {
  /// `value` moved into the range.
  func clamped(_ value: Int) -> Int { Swift.min(upperBound, Swift.max(lowerBound, value)) }
}
