import Dispatch

/// Scalars the packed matrix product runs on: each picks its own entry of an ISA module.
public protocol PanelScalar: BinaryFloatingPoint, SIMDScalar, Codable {
  /// The register tile's columns (NR) on a path.
  static func tileColumns(_ kernels: any ISAKernels.Type) -> Int
  static func blockedProduct(_ kernels: any ISAKernels.Type, _ part: ProductPart<Self>)
  /// The path's vector exp and log in this precision (Compute+ISALoops.swift).
  static func vectorExp(
    _ kernels: any ISAKernels.Type, _ x: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>,
    count: Int)
  static func vectorLog(
    _ kernels: any ISAKernels.Type, _ x: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>,
    count: Int)
  /// The path's sum or maximum over `outer × reduced × inner` (Compute+Reduce.swift).
  static func reduce(
    _ kernels: any ISAKernels.Type, _ op: ReductionOp, _ x: UnsafePointer<Self>,
    _ out: UnsafeMutablePointer<Self>, outer: Int, reduced: Int, inner: Int)
}

extension Float: PanelScalar {
  public static func tileColumns(_ kernels: any ISAKernels.Type) -> Int {
    kernels.floatTileColumns
  }
  public static func blockedProduct(_ kernels: any ISAKernels.Type, _ part: ProductPart<Float>) {
    kernels.blockedProduct(part)
  }
  public static func vectorExp(
    _ kernels: any ISAKernels.Type, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
    count: Int
  ) {
    kernels.exp(x, out, count: count)
  }
  public static func vectorLog(
    _ kernels: any ISAKernels.Type, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
    count: Int
  ) {
    kernels.log(x, out, count: count)
  }
  public static func reduce(
    _ kernels: any ISAKernels.Type, _ op: ReductionOp, _ x: UnsafePointer<Float>,
    _ out: UnsafeMutablePointer<Float>, outer: Int, reduced: Int, inner: Int
  ) {
    kernels.reduce(op, x, out, outer: outer, reduced: reduced, inner: inner)
  }
}

extension Double: PanelScalar {
  public static func tileColumns(_ kernels: any ISAKernels.Type) -> Int {
    kernels.doubleTileColumns
  }
  public static func blockedProduct(_ kernels: any ISAKernels.Type, _ part: ProductPart<Double>) {
    kernels.blockedProduct(part)
  }
  public static func vectorExp(
    _ kernels: any ISAKernels.Type, _ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>,
    count: Int
  ) {
    kernels.exp(x, out, count: count)
  }
  public static func vectorLog(
    _ kernels: any ISAKernels.Type, _ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>,
    count: Int
  ) {
    kernels.log(x, out, count: count)
  }
  public static func reduce(
    _ kernels: any ISAKernels.Type, _ op: ReductionOp, _ x: UnsafePointer<Double>,
    _ out: UnsafeMutablePointer<Double>, outer: Int, reduced: Int, inner: Int
  ) {
    kernels.reduce(op, x, out, outer: outer, reduced: reduced, inner: inner)
  }
}

/// The block sizes of one product (Goto/BLIS), derived from the caches `CPUInfo` found and the
/// path's register tile (MR × NR): a `kc × NR` sliver of B fills a sixteenth of L2 (at most 512
/// steps), an `mc × kc` block of A half of L2, and a `kc × nc` panel of B half of each core's
/// share of L3. Products split between threads either split C ahead of time into `parts`
/// column (or row) ranges, one per thread, each with its own packing buffers, or, from
/// `sharedWork` multiply-adds on, share a packed operand and claim slices of C
/// (`sharesPanels`).
public struct GEMMBlocking: Sendable {
  /// Products with fewer multiply-adds stay on one thread: about 50 µs of work, where waking a
  /// second thread would cost a noticeable share.
  static var parallelWork: Int { 1 << 21 }

  /// Products split between threads with at least this many multiply-adds (about 1 ms of one
  /// core's work) share their packed panels and hand out slices as threads come free
  /// (`SharedPanels`); smaller ones split C ahead of time, one part per thread, which the part
  /// pool can still give both to one thread if the other is late. A thread descheduled while it
  /// holds an item makes the other wait for it, for a whole time slice when another process
  /// shares its core, which a small product's items do not outlast: with 2²⁴ (W1's
  /// 128 × 784 × 256 products shared), W1's median step on an Intel Xeon (Emerald Rapids) was
  /// 0.88× (0.73–0.93×, five alternated pairs) with both cores free but 1.02–2.6 ms against
  /// 0.77–0.98 ms with a busy loop on one core.
  public static var sharedWork: Int { 1 << 27 }

  public let isa: KernelISA
  public let mr: Int
  public let nr: Int
  public let parts: Int
  public let splitColumns: Bool
  /// Rows (or columns) of C each part computes; the last part may get fewer.
  let partRows: Int
  let partColumns: Int
  public let mc: Int
  public let kc: Int
  public let nc: Int
  /// Whether B's panel is packed sliver by sliver as the first block of A sweeps it: on AMD's
  /// cores, when the panel outgrows the half of L2 that A's block leaves, packing it whole wrote
  /// it out to L3 and the sweep read it back (W4's 512 × 1024-float panels, 2 MiB); a sliver
  /// (64 KiB) is still in L2 when its tiles read it (W4 1.5–2% faster on Zen 4). On Intel's
  /// (an Emerald Rapids Xeon) the same order was slower, W4 3–4% and its forward product
  /// 256 × 2048 × 2048 7–10% (one thread): gathering a sliver reads 128 bytes from each of 512
  /// rows 8 KiB apart, where packing the panel whole streams each row, which that core's
  /// prefetchers follow. So only AMD's cores interleave; a panel that fits stays packed in one
  /// streaming loop everywhere (1% less CPU time on W1). The packed values and sums are the
  /// same either way.
  public let interleavesPackingB: Bool
  /// Whether the part reads A and B in place instead of packing them (`Packed.inPlaceProduct`):
  /// when both of its operands fit in L1 together, as W3's 32 × 64 × 64 products (24 KiB).
  /// Packing copied each element once to read it only n / NR (A) or m / MR (B) times from L1
  /// anyway; the sums are the same either way.
  public let readsInPlace: Bool
  /// Whether each tile's lines of C (and of an epilogue's mask) are prefetched as its
  /// micro-kernel starts: when the part's C, with the packed block of A and panel of B beside
  /// it, outgrows L2, so its tiles come from L3 or memory, rows `n` apart that the hardware
  /// prefetchers do not follow, and the store after the micro-kernel waited on them (the f32
  /// 2048³ product went from 86% to 91% of the FMA ceiling per CPU-second, one thread, Zen 4).
  /// A C that stays in L2 (W1's) gains nothing and paid 1% for the prefetch instructions. The
  /// rule was C alone beyond half of L2, which on the Intel Xeon (L2 2 MiB) left out W4's
  /// forward products split between two threads (1 MiB of C a part beside 2.5 MiB of packed
  /// operands): prefetching them made W4's step faster in 14 of 18 alternated pairs (median
  /// 0.96×); on Zen 4 the two rules agree for W1, W3 and W4.
  public let prefetchesC: Bool
  /// Whether the threads share the packed panels (`SharedPanels`): then `parts` is the number
  /// of threads, which claim slices of C, shrinking within `slices`, of its columns (sharing A's
  /// panel, `sharesA`) or rows (sharing B's), the shared panel packed in parts of `packExtent`.
  public let sharesPanels: Bool
  public let sharesA: Bool
  public let slices: ClosedRange<Int>
  public let packExtent: Int

  public init<T: PanelScalar>(_ layout: Compute.MatMulLayout, _: T.Type, cpu: CPUInfo = .current) {
    let (m, k, n) = (layout.m, layout.k, layout.n)
    let kernels = layout.isa.kernels
    let limits = Self.limits(T.self, kernels, cpu)
    (isa, mr, nr) = (layout.isa, kernels.tileRows, T.tileColumns(kernels))
    splitColumns = Self.splitsColumns(layout, mr: mr, nr: nr)
    let units = splitColumns ? ceilDiv(n, nr) : ceilDiv(m, mr)
    let parts = m * k * n < Self.parallelWork ? 1 : Swift.min(layout.maxThreads, units)
    let unitsPerPart = ceilDiv(units, parts)
    let columnsPerPart = splitColumns ? Swift.min(n, unitsPerPart * nr) : n
    let rowsPerPart = splitColumns ? m : Swift.min(m, unitsPerPart * mr)
    self.parts = splitColumns ? ceilDiv(n, columnsPerPart) : ceilDiv(m, rowsPerPart)
    let size = MemoryLayout<T>.stride
    let fitsL1 = (rowsPerPart + columnsPerPart) * k * size <= cpu.l1Data
    let large = m * k * n >= Self.sharedWork
    sharesPanels =
      self.parts > 1 && !fitsL1
      && (layout.threadSplit == .shared || layout.threadSplit == .automatic && large)
    // A shared product's part is the whole of it: every thread works on every panel.
    (partRows, partColumns) = sharesPanels ? (m, n) : (rowsPerPart, columnsPerPart)
    readsInPlace = fitsL1 && !sharesPanels
    kc = balanced(k, limit: limits.kc, unit: 1)
    mc = balanced(partRows, limit: limits.mc, unit: mr)
    nc = balanced(partColumns, limit: limits.nc, unit: nr)
    let panelElements = Swift.min(kc, k) * roundUp(Swift.min(nc, partColumns), nr)
    interleavesPackingB =
      Self.interleavesLargePanels(on: cpu) && panelElements * size > cpu.l2 / 2 && !sharesPanels
    (sharesA, slices, packExtent) =
      sharesPanels
      ? Self.slicing(
        m: m, columns: Swift.min(n, nc), mc: mc, tile: (mr, nr), threads: self.parts)
      : (false, 0...0, 0)
    let resident = Swift.min(partRows, mc) * Swift.min(kc, k) + panelElements
    prefetchesC = (partRows * partColumns + resident) * size > cpu.l2
  }

  /// A fresh schedule for one run of a product whose threads share panels; nil for the others.
  func sharedPanels(_ layout: Compute.MatMulLayout) -> SharedPanels? {
    guard sharesPanels else { return nil }
    return SharedPanels(
      m: layout.m, k: layout.k, n: layout.n, kc: kc, nc: nc, sharesA: sharesA, threads: parts,
      minimumSlice: slices.lowerBound, maximumSlice: slices.upperBound, packExtent: packExtent,
      tile: (mr, nr))
  }

  /// How a shared product is cut: the smaller panel shared (every slice reads all of it), its
  /// packing in two parts per thread, and slices from the largest block the caches allow (for
  /// rows, mc; columns, a whole panel) down to four tiles (`SharedPanels.sliceStarts`).
  static func slicing(
    m: Int, columns: Int, mc: Int, tile: (rows: Int, columns: Int), threads: Int
  ) -> (sharesA: Bool, slices: ClosedRange<Int>, packExtent: Int) {
    let sharesA = m < columns
    let unit = sharesA ? tile.columns : tile.rows
    let largest = sharesA ? roundUp(columns, unit) : mc
    let smallest = Swift.min(largest, 4 * unit)
    let (packed, packUnit) = sharesA ? (m, tile.rows) : (columns, tile.columns)
    return (sharesA, smallest...largest, roundUp(ceilDiv(packed, 2 * threads), packUnit))
  }

  /// The largest blocks the caches hold (BLIS's analytical model, simplified): kc, then mc from
  /// L2 and nc from L3 for that kc. kc is long rather than L1-sized: each micro-tile reads and
  /// writes its 6 × NR corner of C once per kc steps, and those accesses miss L1; on Zen 4 (L1d
  /// 32 KiB, L2 1 MiB) the f32 2048³ product ran at 68% of the FMA ceiling with kc 128 (B's sliver
  /// in L1), 80% with 256 and 87% with 512 (per CPU-second, 1 thread), the sliver then streaming
  /// from L2, whose bandwidth a micro-kernel step (one NR-wide row of B per 12 FMAs) barely uses.
  public static func limits<T: PanelScalar>(
    _: T.Type, _ kernels: any ISAKernels.Type, _ cpu: CPUInfo
  ) -> (mc: Int, kc: Int, nc: Int) {
    let size = MemoryLayout<T>.stride
    let (mr, nr) = (kernels.tileRows, T.tileColumns(kernels))
    let kc = Swift.min(512, Swift.max(64, cpu.l2 / 16 / (nr * size) / 16 * 16))
    let mc = Swift.max(mr, cpu.l2 / 2 / (kc * size) / mr * mr)
    let l3Share = cpu.l3 > 0 ? cpu.l3 / cpu.cores : cpu.l2
    let nc = Swift.min(8192, Swift.max(nr, l3Share / 2 / (kc * size) / nr * nr))
    return (mc, kc, nc)
  }

  /// Which way threads split C. Each part packs the whole of the operand it does not split, so
  /// split the one whose packing would cost more to repeat: a column split repeats A's packing
  /// (m·k elements), a row split B's (k·n). Packing B untransposed copies whole vectors, about 4
  /// times cheaper per element than the element-wise copies the other cases need.
  static func splitsColumns(_ layout: Compute.MatMulLayout, mr: Int, nr: Int) -> Bool {
    let repeatA = layout.m * layout.k * 4
    let repeatB = layout.k * layout.n * (layout.transposeB ? 4 : 1)
    let (columnUnits, rowUnits) = (ceilDiv(layout.n, nr), ceilDiv(layout.m, mr))
    if columnUnits < layout.maxThreads || rowUnits < layout.maxThreads {
      return columnUnits >= rowUnits
    }
    return repeatA <= repeatB
  }

  /// Elements of one part's scratch: a packed block of A, then a packed panel of B, each
  /// starting on a cache line (`wholeCacheLines`). The packed slivers start on a line so that
  /// no vector load of them straddles two: a Swift array or a `calloc` block starts 16 bytes
  /// past one, and on an Intel Xeon (Emerald Rapids, AVX-512, one thread) the f32 2048³ product
  /// ran at 68% of the FMA ceiling from such scratch and 80% from aligned scratch (Zen 4, where
  /// the kernels were tuned before, has not been measured since).
  var aCount: Int { wholeCacheLines(roundUp(mc, mr) * kc) }
  var partCount: Int { wholeCacheLines(aCount + kc * roundUp(nc, nr)) }

  /// The scratch a product needs for `parts` parts (or its shared panels), with room to start
  /// it on a cache line.
  var workspaceCount: Int {
    guard sharesPanels else { return parts * partCount + cacheLineElements }
    let (shared, own) = SharedPanels.bufferCounts(
      m: partRows, k: kc, n: partColumns, kc: kc, nc: nc, sharesA: sharesA, threads: parts,
      slices: slices, tile: (mr, nr))
    return SharedPanels.scratchCount(shared: shared, own: own, threads: parts) + cacheLineElements
  }

  /// `workspace` moved up to the next cache line.
  public static func lineAligned<T>(_ workspace: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<T>
  {
    let address = Int(bitPattern: workspace)
    return workspace + (cacheLineAligned(address) - address) / MemoryLayout<T>.stride
  }

  /// Whether large panels of B are packed sliver by sliver on `cpu` (`interleavesPackingB`):
  /// measured faster on AMD's cores only.
  static func interleavesLargePanels(on cpu: CPUInfo) -> Bool { cpu.vendor == .amd }
}

@inline(__always) func ceilDiv(_ x: Int, _ y: Int) -> Int { (x + y - 1) / y }
@inline(__always) func roundUp(_ x: Int, _ unit: Int) -> Int { ceilDiv(x, unit) * unit }

/// The block size for `extent` no larger than `limit`, evened out so that the last block is not a
/// sliver (784 becomes 4 × 196, not 3 × 256 + 16), in multiples of `unit`.
func balanced(_ extent: Int, limit: Int, unit: Int) -> Int {
  let blocks = ceilDiv(extent, limit)
  return Swift.min(limit, roundUp(ceilDiv(extent, blocks), unit))
}

/// The pointers of one product, shared read-only by its threads (each writes its own part of C
/// and its own scratch, or, with `shared`, the items it claims).
private struct ProductTask<T: KernelScalar>: @unchecked Sendable {
  let a: StridedMatrix<T>
  let b: StridedMatrix<T>
  let c: UnsafeMutablePointer<T>
  let m: Int
  let k: Int
  let n: Int
  let blocking: GEMMBlocking
  let workspace: UnsafeMutablePointer<T>
  let epilogue: ProductEpilogue<T>?
  let update: ProductUpdate<T>?
  let shared: SharedPanels?

  /// Part `q`: its range of columns (or rows) of C, with its own slice of the scratch, run by
  /// the ISA module's blocked product; with shared panels, every part is the whole product.
  func run(part q: Int) {
    let (scratch, q) = shared == nil ? (workspace + q * blocking.partCount, q) : (workspace, 0)
    let (i0, j0) =
      blocking.splitColumns ? (0, q * blocking.partColumns) : (q * blocking.partRows, 0)
    let part = ProductPart(
      a: a.shifted(rows: i0, columns: 0), b: b.shifted(rows: 0, columns: j0),
      c: c + i0 * n + j0, ldc: n,
      m: Swift.min(blocking.partRows, m - i0), k: k, n: Swift.min(blocking.partColumns, n - j0),
      mc: blocking.mc, kc: blocking.kc, nc: blocking.nc, aCount: blocking.aCount,
      scratch: scratch, interleavesPackingB: blocking.interleavesPackingB,
      readsInPlace: blocking.readsInPlace, prefetchesC: blocking.prefetchesC,
      epilogue: epilogue?.shifted(rows: i0, columns: j0), update: update, shared: shared)
    T.blockedProduct(blocking.isa.kernels, part)
  }
}

extension Compute {
  /// Splits the product into its parts and runs them, on several threads when there are several.
  static func packedProduct<T: KernelScalar>(
    _ a: StridedMatrix<T>, _ b: StridedMatrix<T>, _ c: UnsafeMutablePointer<T>,
    _ layout: MatMulLayout,
    workspace: UnsafeMutablePointer<T>, epilogue: ProductEpilogue<T>? = nil,
    update: ProductUpdate<T>? = nil
  ) {
    let blocking = GEMMBlocking(layout, T.self)
    let task = ProductTask(
      a: a, b: b, c: c, m: layout.m, k: layout.k, n: layout.n,
      blocking: blocking, workspace: GEMMBlocking.lineAligned(workspace),
      epilogue: epilogue, update: update, shared: blocking.sharedPanels(layout))
    if task.blocking.parts == 1 {
      task.run(part: 0)
    } else {
      Compute.runParts(task.blocking.parts) { task.run(part: $0) }
    }
  }
}
