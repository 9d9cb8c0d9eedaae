import Dispatch

/// Scalars the packed matrix product runs on. `Lane` holds one row of a micro-tile: 16 floats or
/// 8 doubles, two AVX2 registers, so the 6 rows of a tile keep 12 of the 16 vector registers as
/// accumulators and leave room for the row of B and the broadcast element of A.
public protocol PanelScalar: BinaryFloatingPoint, SIMDScalar, Codable {
  associatedtype Lane: SIMD where Lane.Scalar == Self
}

extension Float: PanelScalar { public typealias Lane = SIMD16<Float> }
extension Double: PanelScalar { public typealias Lane = SIMD8<Double> }

/// The block sizes of one product (Goto/BLIS): a `kc × nc` panel of B stays in L3 (and each
/// `kc × NR` sliver of it in L1), an `mc × kc` block of A in L2, and a 6 × NR tile of C in
/// registers. Large products split C into `parts` column (or row) ranges, one per thread, each
/// with its own packing buffers.
struct GEMMBlocking<T: PanelScalar> {
  static var mr: Int { 6 }
  static var nr: Int { T.Lane.scalarCount }
  /// 256 steps of k per packed panel (1 KiB of a row in f32, 2 KiB in f64). A 6 × kc sliver of A
  /// plus a kc × NR sliver of B then take 22 KiB (f32) or 28 KiB (f64) of the 32 KiB L1, and C is
  /// read and written once per 256 steps (with 128 in f64, re-reading C took a sixth of the time).
  static var kcMax: Int { 256 }
  /// A block of A up to 240 KiB (240 rows in f32, 120 in f64): half of Zen 3's 512 KiB L2.
  static var mcMax: Int { 240 * 4 / MemoryLayout<T>.stride }
  /// A panel of B up to 4 MiB, a slice of the 32 MiB L3 per thread.
  static var ncMax: Int { 4096 }
  /// Products with fewer multiply-adds stay on one thread: about 50 µs of work, where waking a
  /// second thread would cost a noticeable share.
  static var parallelWork: Int { 1 << 21 }

  let parts: Int
  let splitColumns: Bool
  /// Rows (or columns) of C each part computes; the last part may get fewer.
  let partRows: Int
  let partColumns: Int
  let mc: Int
  let kc: Int
  let nc: Int

  init(_ layout: Compute.MatMulLayout) {
    let (m, k, n) = (layout.m, layout.k, layout.n)
    splitColumns = Self.splitsColumns(layout)
    let units = splitColumns ? ceilDiv(n, Self.nr) : ceilDiv(m, Self.mr)
    let parts = m * k * n < Self.parallelWork ? 1 : Swift.min(layout.maxThreads, units)
    let unitsPerPart = ceilDiv(units, parts)
    partColumns = splitColumns ? Swift.min(n, unitsPerPart * Self.nr) : n
    partRows = splitColumns ? m : Swift.min(m, unitsPerPart * Self.mr)
    self.parts = splitColumns ? ceilDiv(n, partColumns) : ceilDiv(m, partRows)
    kc = balanced(k, limit: Self.kcMax, unit: 1)
    mc = balanced(partRows, limit: Self.mcMax, unit: Self.mr)
    nc = balanced(partColumns, limit: Self.ncMax, unit: Self.nr)
  }

  /// Which way threads split C. Each part packs the whole of the operand it does not split, so
  /// split the one whose packing would cost more to repeat: a column split repeats A's packing
  /// (m·k elements), a row split B's (k·n). Packing B untransposed copies whole vectors, about 4
  /// times cheaper per element than the element-wise copies the other cases need.
  static func splitsColumns(_ layout: Compute.MatMulLayout) -> Bool {
    let repeatA = layout.m * layout.k * 4
    let repeatB = layout.k * layout.n * (layout.transposeB ? 4 : 1)
    let (columnUnits, rowUnits) = (ceilDiv(layout.n, nr), ceilDiv(layout.m, mr))
    if columnUnits < layout.maxThreads || rowUnits < layout.maxThreads {
      return columnUnits >= rowUnits
    }
    return repeatA <= repeatB
  }

  /// Elements of one part's scratch: a packed block of A, then a packed panel of B.
  var aCount: Int { roundUp(mc, Self.mr) * kc }
  var partCount: Int { aCount + kc * roundUp(nc, Self.nr) }
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
/// and its own scratch).
private struct ProductTask<T: KernelScalar>: @unchecked Sendable {
  let a: StridedMatrix<T>
  let b: StridedMatrix<T>
  let c: UnsafeMutablePointer<T>
  let m: Int
  let k: Int
  let n: Int
  let blocking: GEMMBlocking<T>
  let workspace: UnsafeMutablePointer<T>

  /// Part `q`: its range of columns (or rows) of C, with its own slice of the scratch.
  func run(part q: Int) {
    let scratch = workspace + q * blocking.partCount
    if blocking.splitColumns {
      let j0 = q * blocking.partColumns
      Compute.blockedProduct(
        a, b.shifted(rows: 0, columns: j0), c + j0, ldc: n, m: m, k: k,
        n: Swift.min(blocking.partColumns, n - j0),
        blocking, scratch)
    } else {
      let i0 = q * blocking.partRows
      Compute.blockedProduct(
        a.shifted(rows: i0, columns: 0), b, c + i0 * n, ldc: n,
        m: Swift.min(blocking.partRows, m - i0), k: k, n: n,
        blocking, scratch)
    }
  }
}

/// Six rows of NR accumulators: a 6 × NR tile of C, kept in registers by the micro-kernel.
struct Tile<Lane: SIMD> where Lane.Scalar: FloatingPoint {
  var r0 = Lane(), r1 = Lane(), r2 = Lane(), r3 = Lane(), r4 = Lane(), r5 = Lane()

  @inline(__always) subscript(row: Int) -> Lane {
    switch row {
    case 0: r0
    case 1: r1
    case 2: r2
    case 3: r3
    case 4: r4
    default: r5
    }
  }
}

extension Compute {
  /// Splits the product into its parts and runs them, on several threads when there are several.
  static func packedProduct<T: KernelScalar>(
    _ a: StridedMatrix<T>, _ b: StridedMatrix<T>, _ c: UnsafeMutablePointer<T>,
    _ layout: MatMulLayout,
    workspace: UnsafeMutablePointer<T>
  ) {
    let task = ProductTask(
      a: a, b: b, c: c, m: layout.m, k: layout.k, n: layout.n, blocking: GEMMBlocking<T>(layout),
      workspace: workspace)
    if task.blocking.parts == 1 {
      task.run(part: 0)
    } else {
      DispatchQueue.concurrentPerform(iterations: task.blocking.parts) { task.run(part: $0) }
    }
  }

  /// One thread's `C[m, n] = A[m, k] · B[k, n]` (C with row stride `ldc`): for each panel of B
  /// and each block of A, both packed into `scratch`, the macro-kernel sweeps the tiles of C.
  /// The first block of k overwrites C; later ones add to it.
  static func blockedProduct<T: KernelScalar>(
    _ a: StridedMatrix<T>, _ b: StridedMatrix<T>, _ c: UnsafeMutablePointer<T>, ldc: Int, m: Int,
    k: Int, n: Int,
    _ blocking: GEMMBlocking<T>, _ scratch: UnsafeMutablePointer<T>
  ) {
    let (packedA, packedB) = (scratch, scratch + blocking.aCount)
    for j0 in stride(from: 0, to: n, by: blocking.nc) {
      let nb = Swift.min(blocking.nc, n - j0)
      for p0 in stride(from: 0, to: k, by: blocking.kc) {
        let kb = Swift.min(blocking.kc, k - p0)
        packB(b.shifted(rows: p0, columns: j0), depth: kb, columns: nb, into: packedB)
        for i0 in stride(from: 0, to: m, by: blocking.mc) {
          let mb = Swift.min(blocking.mc, m - i0)
          packA(a.shifted(rows: i0, columns: p0), rows: mb, depth: kb, into: packedA)
          macroKernel(
            packedA, packedB, c + i0 * ldc + j0, ldc: ldc, rows: mb, columns: nb, depth: kb,
            accumulate: p0 > 0)
        }
      }
    }
  }

  /// Every tile of one block of C. The outer loop walks slivers of B, so each sliver stays in L1
  /// while the slivers of A stream past it from L2.
  static func macroKernel<T: KernelScalar>(
    _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ c: UnsafeMutablePointer<T>, ldc: Int, rows: Int,
    columns: Int,
    depth: Int, accumulate: Bool
  ) {
    let (mr, nr) = (GEMMBlocking<T>.mr, GEMMBlocking<T>.nr)
    for jr in stride(from: 0, to: columns, by: nr) {
      for ir in stride(from: 0, to: rows, by: mr) {
        let tile = microKernel(depth, a + ir * depth, b + jr * depth)
        store(
          tile, c + ir * ldc + jr, ldc: ldc, rows: Swift.min(mr, rows - ir),
          columns: Swift.min(nr, columns - jr),
          accumulate: accumulate)
      }
    }
  }

  /// The 6 × NR tile `Σ_p a[p, :]ᵀ · b[p, :]` over `depth` steps of packed A (6 per step) and B
  /// (NR per step): per step one vector load of B, six broadcasts of A and twelve fused
  /// multiply-adds (`addingProduct` becomes `vfmadd231ps`/`pd` when built for AVX2 + FMA).
  @inline(__always)
  static func microKernel<T: KernelScalar>(
    _ depth: Int, _ a: UnsafePointer<T>, _ b: UnsafePointer<T>
  ) -> Tile<T.Lane> {
    var tile = Tile<T.Lane>()
    var (a, b) = (a, b)
    for _ in 0..<depth {
      let row = UnsafeRawPointer(b).loadUnaligned(as: T.Lane.self)
      tile.r0 = tile.r0.addingProduct(a[0], row)
      tile.r1 = tile.r1.addingProduct(a[1], row)
      tile.r2 = tile.r2.addingProduct(a[2], row)
      tile.r3 = tile.r3.addingProduct(a[3], row)
      tile.r4 = tile.r4.addingProduct(a[4], row)
      tile.r5 = tile.r5.addingProduct(a[5], row)
      a += 6
      b += T.Lane.scalarCount
    }
    return tile
  }

  /// Writes (or adds) the valid `rows × columns` corner of a tile into C: whole vector rows for a
  /// full-width tile, element by element at the right and bottom edges.
  @inline(__always)
  static func store<T: KernelScalar>(
    _ tile: Tile<T.Lane>, _ c: UnsafeMutablePointer<T>, ldc: Int, rows: Int, columns: Int,
    accumulate: Bool
  ) {
    if rows == GEMMBlocking<T>.mr && columns == T.Lane.scalarCount {
      // The common full tile, its six rows spelled out: a loop over `tile[r]` compiled to a jump
      // table and register copies that took a sixth of a large product's time.
      storeRow(tile.r0, c, accumulate)
      storeRow(tile.r1, c + ldc, accumulate)
      storeRow(tile.r2, c + 2 * ldc, accumulate)
      storeRow(tile.r3, c + 3 * ldc, accumulate)
      storeRow(tile.r4, c + 4 * ldc, accumulate)
      storeRow(tile.r5, c + 5 * ldc, accumulate)
      return
    }
    for r in 0..<rows {
      let row = c + r * ldc
      let values = tile[r]
      if columns == T.Lane.scalarCount {
        let target = UnsafeMutableRawPointer(row)
        let sum = accumulate ? target.loadUnaligned(as: T.Lane.self) + values : values
        target.storeBytes(of: sum, as: T.Lane.self)
      } else {
        for j in 0..<columns { row[j] = accumulate ? row[j] + values[j] : values[j] }
      }
    }
  }

  @inline(__always)
  static func storeRow<Lane: SIMD>(
    _ values: Lane, _ row: UnsafeMutablePointer<Lane.Scalar>, _ accumulate: Bool
  )
  where Lane.Scalar: FloatingPoint {
    let target = UnsafeMutableRawPointer(row)
    target.storeBytes(
      of: accumulate ? target.loadUnaligned(as: Lane.self) + values : values, as: Lane.self)
  }

  /// Packs `rows × depth` of A into slivers of 6 rows, each stored step by step (6 values per p),
  /// the rows past the edge filled with zeros (their products land in tile rows never stored).
  static func packA<T: KernelScalar>(
    _ a: StridedMatrix<T>, rows: Int, depth: Int, into out: UnsafeMutablePointer<T>
  ) {
    let mr = GEMMBlocking<T>.mr
    for i0 in stride(from: 0, to: rows, by: mr) {
      let sliver = out + i0 * depth
      let valid = Swift.min(mr, rows - i0)
      let source = a.shifted(rows: i0, columns: 0)
      if valid == mr {
        packFullSliver(source, depth: depth, into: sliver)
      } else {
        for p in 0..<depth {
          for r in 0..<valid { sliver[p * mr + r] = source[r, p] }
          for r in valid..<mr { sliver[p * mr + r] = 0 }
        }
      }
    }
  }

  /// Six full rows of A, with the six loads of each step spelled out so that they need no index
  /// arithmetic: this gather runs once per element of A per panel of B, and a generic loop here
  /// cost a fifth of a small product's time.
  @inline(__always)
  static func packFullSliver<T: KernelScalar>(
    _ a: StridedMatrix<T>, depth: Int, into out: UnsafeMutablePointer<T>
  ) {
    let (rs, cs) = (a.rowStride, a.columnStride)
    let (r0, r1, r2) = (a.base, a.base + rs, a.base + 2 * rs)
    let (r3, r4, r5) = (a.base + 3 * rs, a.base + 4 * rs, a.base + 5 * rs)
    var o = out
    for p in 0..<depth {
      let q = p * cs
      (o[0], o[1], o[2], o[3], o[4], o[5]) = (r0[q], r1[q], r2[q], r3[q], r4[q], r5[q])
      o += 6
    }
  }

  /// Packs `depth × columns` of B into slivers of NR columns, each stored step by step (NR values
  /// per p), zero-filled past the right edge. Reads follow whichever stride of B is contiguous.
  static func packB<T: KernelScalar>(
    _ b: StridedMatrix<T>, depth: Int, columns: Int, into out: UnsafeMutablePointer<T>
  ) {
    let nr = GEMMBlocking<T>.nr
    for j0 in stride(from: 0, to: columns, by: nr) {
      let sliver = out + j0 * depth
      let valid = Swift.min(nr, columns - j0)
      let source = b.shifted(rows: 0, columns: j0)
      if valid < nr { (sliver).update(repeating: 0, count: depth * nr) }
      if source.columnStride == 1 && valid == nr {
        for p in 0..<depth {
          let row = UnsafeRawPointer(source.base + p * source.rowStride).loadUnaligned(
            as: T.Lane.self)
          UnsafeMutableRawPointer(sliver + p * nr).storeBytes(of: row, as: T.Lane.self)
        }
      } else if source.columnStride == 1 || valid < nr {
        for p in 0..<depth { for j in 0..<valid { sliver[p * nr + j] = source[p, j] } }
      } else {
        packTransposedSliver(source, depth: depth, into: sliver)
      }
    }
  }

  /// NR full columns of a transposed B (each column contiguous in memory): each step gathers one
  /// element from each of the NR columns and writes them as one contiguous row, so the writes
  /// stream and the NR reads walk NR lines that stay in L1 for 16 steps.
  @inline(__always)
  static func packTransposedSliver<T: KernelScalar>(
    _ b: StridedMatrix<T>, depth: Int, into out: UnsafeMutablePointer<T>
  ) {
    let (nr, cs) = (GEMMBlocking<T>.nr, b.columnStride)
    var o = out
    for p in 0..<depth {
      let row = b.base + p * b.rowStride
      for j in 0..<nr { o[j] = row[j * cs] }
      o += nr
    }
  }
}
