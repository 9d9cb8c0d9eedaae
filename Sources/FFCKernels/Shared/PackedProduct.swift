// Shared by FFCKernelsAVX512, FFCKernelsAVX2 and FFCKernelsGeneric (each module's directory links
// this file): one source, compiled once per ISA with that module's `-target-cpu`, so the same
// Swift becomes zmm, ymm or xmm code. `Lanes.swift` in each module sets the vector types. The
// entry points, the loops and the packing share this file so that a build without whole-module
// optimisation (debug) still specialises and inlines them.
import FFCKernelCore

// The lane type (one vector register) is set here, in the file that uses it, so that an
// incremental build which recompiles one file never mixes two tile widths. A tile row is two
// registers, so the micro-kernel keeps 6 × 2 = 12 independent accumulators: enough to hide the
// FMA latency on two FMA pipes (4 cycles × 2 pipes = 8 chains needed). Package.swift defines
// which module this is.
#if FFC_AVX512
  // Built with -target-cpu skylake-avx512: zmm registers, 12 of the 32 hold the 6 × 32 (f32) or
  // 6 × 16 (f64) tile. The row is two SIMD16<Float> spelled out, not one SIMD32<Float>, which
  // Swift compiled to scalar code (0.2 GFLOP/s measured).
  extension Float: LaneScalar { typealias Lane = SIMD16<Float> }
  extension Double: LaneScalar { typealias Lane = SIMD8<Double> }
#elseif FFC_AVX2
  // Built with -target-cpu haswell: ymm registers, 12 of the 16 hold the 6 × 16 or 6 × 8 tile.
  extension Float: LaneScalar { typealias Lane = SIMD8<Float> }
  extension Double: LaneScalar { typealias Lane = SIMD4<Double> }
#else
  // The architecture's baseline (SSE2 on x86-64, NEON on arm64): 128-bit registers, 12 of the
  // 16 (x86-64) or 32 (arm64) hold the 6 × 8 or 6 × 4 tile.
  extension Float: LaneScalar { typealias Lane = SIMD4<Float> }
  extension Double: LaneScalar { typealias Lane = SIMD2<Double> }
#endif

extension Kernels {
  public static var tileRows: Int { microTileRows }
  public static var floatTileColumns: Int { Float.tileColumns }
  public static var doubleTileColumns: Int { Double.tileColumns }

  public static func blockedProduct(_ part: ProductPart<Float>) { Packed.blockedProduct(part) }
  public static func blockedProduct(_ part: ProductPart<Double>) { Packed.blockedProduct(part) }
}

/// Scalars the packed product runs on; `Lane` (set per module) is one vector register, and a
/// row of a micro-tile is two of them.
protocol LaneScalar: BinaryFloatingPoint, SIMDScalar, Codable {
  associatedtype Lane: SIMD where Lane.Scalar == Self
  /// `x > 0 ? x : 0` and `x > 0 ? 1 : 0` in every lane, as the relu and step loops (NaN and -0
  /// give +0). Written on the concrete vector type: in a function generic over the lane type the
  /// compare and select ran lane by lane, half of a fused epilogue's instructions.
  static func relu(lanes: Lane) -> Lane
  static func step(lanes: Lane) -> Lane
}

extension Float {
  @inline(__always) static func relu(lanes x: Lane) -> Lane {
    var y = Lane(repeating: 0)
    y.replace(with: x, where: x .> 0)
    return y
  }
  @inline(__always) static func step(lanes x: Lane) -> Lane {
    var y = Lane(repeating: 0)
    y.replace(with: 1, where: x .> 0)
    return y
  }
}

extension Double {
  @inline(__always) static func relu(lanes x: Lane) -> Lane {
    var y = Lane(repeating: 0)
    y.replace(with: x, where: x .> 0)
    return y
  }
  @inline(__always) static func step(lanes x: Lane) -> Lane {
    var y = Lane(repeating: 0)
    y.replace(with: 1, where: x .> 0)
    return y
  }
}

extension LaneScalar {
  /// The register tile's columns (NR): two vector registers.
  static var tileColumns: Int { 2 * Lane.scalarCount }
}

/// One row of a micro-tile: two vector registers, columns `0..<w` and `w..<2w`.
struct TileRow<Lane: SIMD> where Lane.Scalar: FloatingPoint {
  var low = Lane()
  var high = Lane()

  @inline(__always) subscript(column: Int) -> Lane.Scalar {
    column < Lane.scalarCount ? low[column] : high[column - Lane.scalarCount]
  }
}

/// Six rows of NR accumulators: a 6 × NR tile of C, kept in registers by the micro-kernel.
struct Tile<Lane: SIMD> where Lane.Scalar: FloatingPoint {
  var r0 = TileRow<Lane>(), r1 = TileRow<Lane>(), r2 = TileRow<Lane>()
  var r3 = TileRow<Lane>(), r4 = TileRow<Lane>(), r5 = TileRow<Lane>()

  @inline(__always) subscript(row: Int) -> TileRow<Lane> {
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

let microTileRows = 6

/// `acc + s · row`: fused (one `vfmadd231ps`/`pd` per register) where the module's ISA has FMA.
/// Baseline x86-64 has none: `addingProduct` would call `fmaf` per lane, so there the product is
/// rounded before the sum; arm64 always has FMA.
@inline(__always) func multiplyAdd<L: SIMD>(_ acc: L, _ s: L.Scalar, _ row: L) -> L
where L.Scalar: FloatingPoint {
  #if FFC_AVX512 || FFC_AVX2 || arch(arm64)
    acc.addingProduct(s, row)
  #else
    acc + row * s
  #endif
}

/// `row + s · b` for both registers of a tile row.
@inline(__always) func multiplyAdd<L: SIMD>(_ row: TileRow<L>, _ s: L.Scalar, _ b: TileRow<L>)
  -> TileRow<L>
where L.Scalar: FloatingPoint {
  TileRow(low: multiplyAdd(row.low, s, b.low), high: multiplyAdd(row.high, s, b.high))
}

enum Packed {
  /// For each panel of B and each block of A, both packed into scratch, the macro-kernel sweeps
  /// the tiles of C. The first block of k overwrites C; later ones add to it. B's panel is packed
  /// whole before the sweep or, with `interleavesPackingB` (a panel larger than L2 holds beside
  /// A's block), by the first block of A's sweep, one sliver just before its tiles. The packed
  /// values and every sum are the same; only when each sliver is written moves.
  static func blockedProduct<T: LaneScalar>(_ p: ProductPart<T>) {
    if p.readsInPlace { return inPlaceProduct(p) }
    if let shared = p.shared { return sharedProduct(p, shared) }
    let (packedA, packedB) = (p.scratch, p.scratch + p.aCount)
    for j0 in stride(from: 0, to: p.n, by: p.nc) {
      let nb = Swift.min(p.nc, p.n - j0)
      for p0 in stride(from: 0, to: p.k, by: p.kc) {
        let kb = Swift.min(p.kc, p.k - p0)
        let panel = p.b.shifted(rows: p0, columns: j0)
        if !p.interleavesPackingB {
          packB(panel, columns: 0..<nb, depth: kb, into: packedB)
        }
        for i0 in stride(from: 0, to: p.m, by: p.mc) {
          let mb = Swift.min(p.mc, p.m - i0)
          packA(p.a.shifted(rows: i0, columns: p0), rows: mb, depth: kb, into: packedA)
          macroKernel(
            packedA, packedB, p.c + i0 * p.ldc + j0, ldc: p.ldc, rows: mb, columns: nb,
            depth: kb, accumulate: p0 > 0, packing: i0 == 0 && p.interleavesPackingB ? panel : nil,
            epilogue: p0 + kb == p.k ? p.epilogue?.shifted(rows: i0, columns: j0) : nil,
            update: p.update, prefetchesC: p.prefetchesC)
        }
      }
    }
  }

  /// This thread's share of a product that several compute together (`SharedPanels`): items
  /// claimed until none is left, each a part of the shared operand's panel packed into the
  /// shared buffer, or a slice of C: its own operand packed into this thread's buffer, then
  /// multiplied (the same macro-kernel on the same depth blocks as one thread's loop, so the
  /// same sums).
  static func sharedProduct<T: LaneScalar>(_ p: ProductPart<T>, _ shared: SharedPanels) {
    let own = p.scratch + shared.ownOffset(shared.takeSeat())
    var cursor = SharedPanels.Cursor()
    while let item = shared.claim(&cursor) {
      let panel = item.panel
      let common = p.scratch + shared.sharedOffset(panel)
      switch item.work {
      case .pack(let part):
        let range = shared.range(ofPack: part, in: panel)
        if shared.sharesA {
          packA(
            p.a.shifted(rows: range.lowerBound, columns: panel.p0), rows: range.count,
            depth: panel.depth, into: common + range.lowerBound * panel.depth)
        } else {
          packB(
            p.b.shifted(rows: panel.p0, columns: panel.j0), columns: range, depth: panel.depth,
            into: common + range.lowerBound * panel.depth)
        }
      case .multiply(let slice):
        let range = shared.range(ofSlice: slice, in: panel)
        if shared.sharesA {
          packB(
            p.b.shifted(rows: panel.p0, columns: panel.j0), columns: range, depth: panel.depth,
            into: own)
          multiply(p, panel, a: common, b: own, rows: 0..<p.m, columns: range)
        } else {
          packA(
            p.a.shifted(rows: range.lowerBound, columns: panel.p0), rows: range.count,
            depth: panel.depth, into: own)
          multiply(p, panel, a: own, b: common, rows: range, columns: 0..<panel.columns)
        }
      }
      shared.finish(item)
    }
  }

  /// Columns `columns` of a panel of B (`depth` steps from its top) packed as slivers from
  /// `out` on, the first column's sliver first.
  static func packB<T: LaneScalar>(
    _ panel: StridedMatrix<T>, columns: Range<Int>, depth: Int, into out: UnsafeMutablePointer<T>
  ) {
    for jr in stride(from: columns.lowerBound, to: columns.upperBound, by: T.tileColumns) {
      packBSliver(
        panel.shifted(rows: 0, columns: jr), depth: depth,
        valid: Swift.min(T.tileColumns, columns.upperBound - jr),
        into: out + (jr - columns.lowerBound) * depth)
    }
  }

  /// `rows × columns` of C (columns within the panel) from packed A (its first row at `a`) and
  /// packed B (its first column at `b`), in blocks of `mc` rows, so that A's block stays in L2.
  static func multiply<T: LaneScalar>(
    _ p: ProductPart<T>, _ panel: SharedPanels.Panel, a: UnsafePointer<T>,
    b: UnsafeMutablePointer<T>, rows: Range<Int>, columns: Range<Int>
  ) {
    let last = panel.p0 + panel.depth == p.k
    let j0 = panel.j0 + columns.lowerBound
    for i0 in stride(from: rows.lowerBound, to: rows.upperBound, by: p.mc) {
      macroKernel(
        a + (i0 - rows.lowerBound) * panel.depth, b, p.c + i0 * p.ldc + j0, ldc: p.ldc,
        rows: Swift.min(p.mc, rows.upperBound - i0), columns: columns.count,
        depth: panel.depth, accumulate: panel.p0 > 0, packing: nil,
        epilogue: last ? p.epilogue?.shifted(rows: i0, columns: j0) : nil, update: p.update,
        prefetchesC: p.prefetchesC)
    }
  }

  /// Every tile of one block of C. The outer loop walks slivers of B, so each sliver stays in L1
  /// while the slivers of A stream past it from L2. With `packing`, each sliver of B is first
  /// packed from it (the first block of A of a panel), while the tiles of the sliver before
  /// fetch its lines into L2 (`SliverPrefetch`). With `epilogue` (the last block of k),
  /// each tile is finished by it as it is stored. With `update`, each tile moves the parameter
  /// C instead (`ProductUpdate`; `accumulate` false on the first block of k).
  static func macroKernel<T: LaneScalar>(
    _ a: UnsafePointer<T>, _ b: UnsafeMutablePointer<T>, _ c: UnsafeMutablePointer<T>, ldc: Int,
    rows: Int, columns: Int, depth: Int, accumulate: Bool, packing: StridedMatrix<T>?,
    epilogue: ProductEpilogue<T>? = nil, update: ProductUpdate<T>? = nil, prefetchesC: Bool = false
  ) {
    let nr = T.tileColumns
    let tiles = (rows + microTileRows - 1) / microTileRows
    for jr in stride(from: 0, to: columns, by: nr) {
      var next: SliverPrefetch<T>?
      if let panel = packing {
        packBSliver(
          panel.shifted(rows: 0, columns: jr), depth: depth, valid: Swift.min(nr, columns - jr),
          into: b + jr * depth)
        if jr + nr < columns {
          next = SliverPrefetch(
            panel.shifted(rows: 0, columns: jr + nr), depth: depth,
            columns: Swift.min(nr, columns - jr - nr), tiles: tiles)
        }
      }
      for ir in stride(from: 0, to: rows, by: microTileRows) {
        next?.fetch(tile: ir / microTileRows)
        if prefetchesC {
          prefetchTile(
            c + ir * ldc + jr, ldc: ldc, rows: Swift.min(microTileRows, rows - ir),
            columns: Swift.min(nr, columns - jr), epilogue?.shifted(rows: ir, columns: jr))
        }
        let tile = microKernel(depth, a + ir * depth, b + jr * depth)
        if let update {
          apply(
            update, tile, c + ir * ldc + jr, ldc: ldc, rows: Swift.min(microTileRows, rows - ir),
            columns: Swift.min(nr, columns - jr), first: !accumulate)
          continue
        }
        store(
          tile, c + ir * ldc + jr, ldc: ldc, rows: Swift.min(microTileRows, rows - ir),
          columns: Swift.min(nr, columns - jr), accumulate: accumulate)
        if let epilogue {
          finishTile(
            c + ir * ldc + jr, ldc: ldc, rows: Swift.min(microTileRows, rows - ir),
            columns: Swift.min(nr, columns - jr), epilogue.shifted(rows: ir, columns: jr))
        }
      }
    }
  }

  /// Fetches a tile's lines of C for writing, and of its epilogue's mask (a ReLU's derivative)
  /// for reading, into L1 (`ProductPart.prefetchesC`).
  @inline(__always)
  static func prefetchTile<T: LaneScalar>(
    _ c: UnsafeMutablePointer<T>, ldc: Int, rows: Int, columns: Int, _ epilogue: ProductEpilogue<T>?
  ) {
    let bytes = columns * MemoryLayout<T>.stride
    prefetchRows(
      UnsafePointer(c), rows: rows, stride: ldc, bytes: bytes, .writeNear)
    if let epilogue, let mask = epilogue.mask {
      prefetchRows(
        mask, rows: rows, stride: epilogue.maskRowStride, bytes: bytes, .readNear)
    }
  }

  /// The 6 × NR tile `Σ_p a[p, :]ᵀ · b[p, :]` over `depth` steps of packed A (6 per step) and B
  /// (NR per step): per step two vector loads of B, six broadcasts of A and twelve
  /// multiply-adds (`multiplyAdd`, fused where the module's ISA has FMA).
  @inline(__always)
  static func microKernel<T: LaneScalar>(
    _ depth: Int, _ a: UnsafePointer<T>, _ b: UnsafePointer<T>
  ) -> Tile<T.Lane> {
    var tile = Tile<T.Lane>()
    var (a, b) = (a, b)
    for _ in 0..<depth {
      let row = TileRow(
        low: UnsafeRawPointer(b).loadUnaligned(as: T.Lane.self),
        high: UnsafeRawPointer(b + T.Lane.scalarCount).loadUnaligned(as: T.Lane.self))
      tile.r0 = multiplyAdd(tile.r0, a[0], row)
      tile.r1 = multiplyAdd(tile.r1, a[1], row)
      tile.r2 = multiplyAdd(tile.r2, a[2], row)
      tile.r3 = multiplyAdd(tile.r3, a[3], row)
      tile.r4 = multiplyAdd(tile.r4, a[4], row)
      tile.r5 = multiplyAdd(tile.r5, a[5], row)
      a += 6
      b += 2 * T.Lane.scalarCount
    }
    return tile
  }

  /// Writes (or adds) the valid `rows × columns` corner of a tile into C: whole vector rows for a
  /// full-width tile, element by element at the right and bottom edges.
  @inline(__always)
  static func store<T: LaneScalar>(
    _ tile: Tile<T.Lane>, _ c: UnsafeMutablePointer<T>, ldc: Int, rows: Int, columns: Int,
    accumulate: Bool
  ) {
    if rows == microTileRows && columns == T.tileColumns {
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
      if columns == T.tileColumns {
        storeRow(values, row, accumulate)
      } else {
        for j in 0..<columns { row[j] = accumulate ? row[j] + values[j] : values[j] }
      }
    }
  }

  @inline(__always)
  static func storeRow<Lane: SIMD>(
    _ values: TileRow<Lane>, _ row: UnsafeMutablePointer<Lane.Scalar>, _ accumulate: Bool
  ) where Lane.Scalar: FloatingPoint {
    storeLane(values.low, row, accumulate)
    storeLane(values.high, row + Lane.scalarCount, accumulate)
  }

  @inline(__always)
  static func storeLane<Lane: SIMD>(
    _ values: Lane, _ row: UnsafeMutablePointer<Lane.Scalar>, _ accumulate: Bool
  ) where Lane.Scalar: FloatingPoint {
    let target = UnsafeMutableRawPointer(row)
    target.storeBytes(
      of: accumulate ? target.loadUnaligned(as: Lane.self) + values : values, as: Lane.self)
  }
}

extension Packed {
  /// A tile of the gradient moving the parameter C (`ProductUpdate`) instead of being stored:
  /// the `rows × columns` corner, whole vector rows where the tile is full width, element by
  /// element at the right edge. The optimizer's IEEE operations in its order, so on the first
  /// block of k the bits of its loop.
  @inline(__always)
  static func apply<T: LaneScalar>(
    _ update: ProductUpdate<T>, _ tile: Tile<T.Lane>, _ c: UnsafeMutablePointer<T>, ldc: Int,
    rows: Int, columns: Int, first: Bool
  ) {
    if rows == microTileRows && columns == T.tileColumns {
      updateRow(tile.r0, c, update, first)
      updateRow(tile.r1, c + ldc, update, first)
      updateRow(tile.r2, c + 2 * ldc, update, first)
      updateRow(tile.r3, c + 3 * ldc, update, first)
      updateRow(tile.r4, c + 4 * ldc, update, first)
      updateRow(tile.r5, c + 5 * ldc, update, first)
      return
    }
    let (rate, decay) = (update.rate, update.decay)
    for r in 0..<rows {
      let row = c + r * ldc
      let values = tile[r]
      if columns == T.tileColumns {
        updateRow(values, row, update, first)
      } else {
        for j in 0..<columns {
          row[j] = first ? row[j] - rate * (values[j] + decay * row[j]) : row[j] - rate * values[j]
        }
      }
    }
  }

  @inline(__always)
  static func updateRow<T: LaneScalar>(
    _ values: TileRow<T.Lane>, _ row: UnsafeMutablePointer<T>, _ update: ProductUpdate<T>,
    _ first: Bool
  ) {
    @inline(__always) func move(_ g: T.Lane, _ offset: Int) {
      let target = UnsafeMutableRawPointer(row + offset)
      let theta = target.loadUnaligned(as: T.Lane.self)
      let step = first ? g + theta * update.decay : g
      target.storeBytes(of: theta - step * update.rate, as: T.Lane.self)
    }
    move(values.low, 0)
    move(values.high, T.Lane.scalarCount)
  }

  /// The epilogue on a tile just stored, while it is in L1 (finishing it in registers, before
  /// the store, passed the tile to this function through memory and slowed the plain products'
  /// micro-kernel loop): each element plus the bias, then the activation, then times the
  /// mask's step. Full-width rows run in vector registers, the columns of a right-edge tile one
  /// by one. The same IEEE operations on the same values as the separate loops, so the same
  /// bits.
  static func finishTile<T: LaneScalar>(
    _ c: UnsafeMutablePointer<T>, ldc: Int, rows: Int, columns: Int,
    _ epilogue: ProductEpilogue<T>
  ) {
    let w = T.Lane.scalarCount
    let (bias, activation) = (epilogue.bias, epilogue.activation)
    for r in 0..<rows {
      let row = c + r * ldc
      let mask = epilogue.mask.map { $0 + r * epilogue.maskRowStride }
      if columns == T.tileColumns {
        @inline(__always) func finish(_ offset: Int) {
          let target = UnsafeMutableRawPointer(row + offset)
          var x = target.loadUnaligned(as: T.Lane.self)
          if let bias { x = x + UnsafeRawPointer(bias + offset).loadUnaligned(as: T.Lane.self) }
          if activation == .relu { x = T.relu(lanes: x) }
          if let mask {
            x = x * T.step(lanes: UnsafeRawPointer(mask + offset).loadUnaligned(as: T.Lane.self))
          }
          target.storeBytes(of: x, as: T.Lane.self)
        }
        finish(0)
        finish(w)
      } else {
        for j in 0..<columns {
          var x = row[j]
          if let bias { x = x + bias[j] }
          if activation == .relu { x = x > 0 ? x : 0 }
          if let mask { x = x * (mask[j] > 0 ? 1 : 0) }
          row[j] = x
        }
      }
    }
  }

  /// Packs `rows × depth` of A into slivers of 6 rows, each stored step by step (6 values per p),
  /// the rows past the edge filled with zeros (their products land in tile rows never stored).
  static func packA<T: LaneScalar>(
    _ a: StridedMatrix<T>, rows: Int, depth: Int, into out: UnsafeMutablePointer<T>
  ) {
    for i0 in stride(from: 0, to: rows, by: microTileRows) {
      let sliver = out + i0 * depth
      let valid = Swift.min(microTileRows, rows - i0)
      let source = a.shifted(rows: i0, columns: 0)
      if valid == microTileRows {
        packFullSliver(source, depth: depth, into: sliver)
      } else {
        for p in 0..<depth {
          for r in 0..<valid { sliver[p * microTileRows + r] = source[r, p] }
          for r in valid..<microTileRows { sliver[p * microTileRows + r] = 0 }
        }
      }
    }
  }

  /// Six full rows of A, with the six loads of each step spelled out so that they need no index
  /// arithmetic: this gather runs once per element of A per panel of B, and a generic loop here
  /// cost a fifth of a small product's time.
  @inline(__always)
  static func packFullSliver<T: LaneScalar>(
    _ a: StridedMatrix<T>, depth: Int, into out: UnsafeMutablePointer<T>
  ) {
    let (rs, cs) = (a.rowStride, a.columnStride)
    if rs == 1 {
      // A transposed (the weight gradient's Xᵀ): a step's six values are contiguous, copied as
      // one 4-lane and one 2-lane vector instead of six scalar loads and stores.
      var (source, o) = (a.base, out)
      for _ in 0..<depth {
        let raw = UnsafeRawPointer(source)
        let target = UnsafeMutableRawPointer(o)
        target.storeBytes(of: raw.loadUnaligned(as: SIMD4<T>.self), as: SIMD4<T>.self)
        (target + 4 * MemoryLayout<T>.stride).storeBytes(
          of: (raw + 4 * MemoryLayout<T>.stride).loadUnaligned(as: SIMD2<T>.self),
          as: SIMD2<T>.self)
        source += cs
        o += 6
      }
      return
    }
    let (r0, r1, r2) = (a.base, a.base + rs, a.base + 2 * rs)
    let (r3, r4, r5) = (a.base + 3 * rs, a.base + 4 * rs, a.base + 5 * rs)
    var o = out
    var start = 0
    if cs == 1, T.self == Float.self {
      // Rows contiguous (A untransposed, as X in X·W): eight steps at a time, six 8-lane loads
      // transposed in registers. Each step's 8-lane store spills two lanes into the next step's
      // slots, which that step overwrites; so the last step is never done here.
      let target = UnsafeMutableRawPointer(out)
      let zero = SIMD8<Float>()
      while start + 8 < depth {
        func load(_ row: UnsafePointer<T>) -> SIMD8<Float> {
          UnsafeRawPointer(row + start).loadUnaligned(as: SIMD8<Float>.self)
        }
        let w = transpose8(load(r0), load(r1), load(r2), load(r3), load(r4), load(r5), zero, zero)
        let step = 6 * MemoryLayout<Float>.stride
        let first = target + start * step
        first.storeBytes(of: w.0, as: SIMD8<Float>.self)
        (first + step).storeBytes(of: w.1, as: SIMD8<Float>.self)
        (first + 2 * step).storeBytes(of: w.2, as: SIMD8<Float>.self)
        (first + 3 * step).storeBytes(of: w.3, as: SIMD8<Float>.self)
        (first + 4 * step).storeBytes(of: w.4, as: SIMD8<Float>.self)
        (first + 5 * step).storeBytes(of: w.5, as: SIMD8<Float>.self)
        (first + 6 * step).storeBytes(of: w.6, as: SIMD8<Float>.self)
        (first + 7 * step).storeBytes(of: w.7, as: SIMD8<Float>.self)
        start += 8
      }
      o += 6 * start
    }
    for p in start..<depth {
      let q = p * cs
      (o[0], o[1], o[2], o[3], o[4], o[5]) = (r0[q], r1[q], r2[q], r3[q], r4[q], r5[q])
      o += 6
    }
  }

  /// Packs `depth × valid` columns of B (`valid` ≤ NR) into one sliver, stored step by step (NR
  /// values per p), zero-filled past the right edge. Reads follow whichever stride of B is
  /// contiguous.
  static func packBSliver<T: LaneScalar>(
    _ source: StridedMatrix<T>, depth: Int, valid: Int, into sliver: UnsafeMutablePointer<T>
  ) {
    let (nr, w) = (T.tileColumns, T.Lane.scalarCount)
    if valid < nr { sliver.update(repeating: 0, count: depth * nr) }
    if source.columnStride == 1 && valid == nr {
      for p in 0..<depth {
        let row = UnsafeRawPointer(source.base + p * source.rowStride)
        let target = UnsafeMutableRawPointer(sliver + p * nr)
        target.storeBytes(of: row.loadUnaligned(as: T.Lane.self), as: T.Lane.self)
        (target + w * MemoryLayout<T>.stride).storeBytes(
          of: (row + w * MemoryLayout<T>.stride).loadUnaligned(as: T.Lane.self), as: T.Lane.self)
      }
    } else if source.columnStride == 1 || valid < nr {
      for p in 0..<depth { for j in 0..<valid { sliver[p * nr + j] = source[p, j] } }
    } else {
      packTransposedSliver(source, depth: depth, into: sliver)
    }
  }

  /// NR full columns of a transposed B (each column contiguous in memory): each step gathers one
  /// element from each of the NR columns and writes them as one contiguous row, so the writes
  /// stream and the NR reads walk NR lines that stay in L1 for a line's worth of steps.
  @inline(__always)
  static func packTransposedSliver<T: LaneScalar>(
    _ b: StridedMatrix<T>, depth: Int, into out: UnsafeMutablePointer<T>
  ) {
    let (nr, cs) = (T.tileColumns, b.columnStride)
    var o = out
    var start = 0
    if b.rowStride == 1, T.self == Float.self, nr % 8 == 0 {
      // Eight steps at a time: 8 × 8 blocks, eight contiguous 8-lane loads (one per column)
      // transposed in registers into eight 8-lane stores, instead of a scalar load and store per
      // element (this gather was most of the packing of W4's input gradients dZ·Wᵀ).
      let source = UnsafeRawPointer(b.base)
      let target = UnsafeMutableRawPointer(out)
      let size = MemoryLayout<Float>.stride
      while start + 8 <= depth {
        for j0 in stride(from: 0, to: nr, by: 8) {
          let column = source + (j0 * cs + start) * size
          func load(_ j: Int) -> SIMD8<Float> {
            (column + j * cs * size).loadUnaligned(as: SIMD8<Float>.self)
          }
          let w = transpose8(
            load(0), load(1), load(2), load(3), load(4), load(5), load(6), load(7))
          let first = target + (start * nr + j0) * size
          let step = nr * size
          first.storeBytes(of: w.0, as: SIMD8<Float>.self)
          (first + step).storeBytes(of: w.1, as: SIMD8<Float>.self)
          (first + 2 * step).storeBytes(of: w.2, as: SIMD8<Float>.self)
          (first + 3 * step).storeBytes(of: w.3, as: SIMD8<Float>.self)
          (first + 4 * step).storeBytes(of: w.4, as: SIMD8<Float>.self)
          (first + 5 * step).storeBytes(of: w.5, as: SIMD8<Float>.self)
          (first + 6 * step).storeBytes(of: w.6, as: SIMD8<Float>.self)
          (first + 7 * step).storeBytes(of: w.7, as: SIMD8<Float>.self)
        }
        start += 8
      }
      o += nr * start
    }
    for p in start..<depth {
      let row = b.base + p * b.rowStride
      for j in 0..<nr { o[j] = row[j * cs] }
      o += nr
    }
  }
}

/// The 8 × 8 transpose of eight rows: result t holds element t of each row. Unpacks within
/// 128-bit halves, then pairs, then halves swapped (`vunpcklps`, `vshufps`, `vinsertf128` on AVX;
/// LLVM recognised the lane patterns as shuffles): pure data movement, so the packed values are
/// the same bits as the scalar gather's.
@inline(__always)
func transpose8(
  _ v0: SIMD8<Float>, _ v1: SIMD8<Float>, _ v2: SIMD8<Float>, _ v3: SIMD8<Float>,
  _ v4: SIMD8<Float>, _ v5: SIMD8<Float>, _ v6: SIMD8<Float>, _ v7: SIMD8<Float>
) -> (
  SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>,
  SIMD8<Float>, SIMD8<Float>
) {
  func unpackLow(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
    SIMD8(a[0], b[0], a[1], b[1], a[4], b[4], a[5], b[5])
  }
  func unpackHigh(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
    SIMD8(a[2], b[2], a[3], b[3], a[6], b[6], a[7], b[7])
  }
  func pairLow(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
    SIMD8(a[0], a[1], b[0], b[1], a[4], a[5], b[4], b[5])
  }
  func pairHigh(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
    SIMD8(a[2], a[3], b[2], b[3], a[6], a[7], b[6], b[7])
  }
  let (t0, t1) = (unpackLow(v0, v1), unpackHigh(v0, v1))
  let (t2, t3) = (unpackLow(v2, v3), unpackHigh(v2, v3))
  let (t4, t5) = (unpackLow(v4, v5), unpackHigh(v4, v5))
  let (t6, t7) = (unpackLow(v6, v7), unpackHigh(v6, v7))
  // s0: rows 0–3 at steps 0 and 4; s1: steps 1 and 5; s2: 2 and 6; s3: 3 and 7. s4–s7: rows 4–7.
  let (s0, s1, s2, s3) = (pairLow(t0, t2), pairHigh(t0, t2), pairLow(t1, t3), pairHigh(t1, t3))
  let (s4, s5, s6, s7) = (pairLow(t4, t6), pairHigh(t4, t6), pairLow(t5, t7), pairHigh(t5, t7))
  return (
    SIMD8(lowHalf: s0.lowHalf, highHalf: s4.lowHalf),
    SIMD8(lowHalf: s1.lowHalf, highHalf: s5.lowHalf),
    SIMD8(lowHalf: s2.lowHalf, highHalf: s6.lowHalf),
    SIMD8(lowHalf: s3.lowHalf, highHalf: s7.lowHalf),
    SIMD8(lowHalf: s0.highHalf, highHalf: s4.highHalf),
    SIMD8(lowHalf: s1.highHalf, highHalf: s5.highHalf),
    SIMD8(lowHalf: s2.highHalf, highHalf: s6.highHalf),
    SIMD8(lowHalf: s3.highHalf, highHalf: s7.highHalf)
  )
}

// MARK: - Small products, read in place

extension Packed {
  /// A product whose operands fit in L1 (`readsInPlace`, W3's 32 × 64 × 64): packing would copy
  /// every element of A and B once to read each only a few times, so the micro-kernel reads A's
  /// rows and B's rows where they lie. Only a transposed B (each step's NR values would be NR
  /// strides apart) and B's ragged last sliver are packed, one sliver at a time into scratch,
  /// zero-filled as the packed path does. At A's ragged edge the rows past the last re-read the
  /// last one, so no read passes the edge; their sums land in tile rows that are never stored.
  /// The depth blocks (`kc`), the order of the multiply-adds within a tile and the stores are
  /// the packed path's, so every element of C gets the same bits.
  static func inPlaceProduct<T: LaneScalar>(_ p: ProductPart<T>) {
    let nr = T.tileColumns
    let packedB = p.scratch + p.aCount
    for p0 in stride(from: 0, to: p.k, by: p.kc) {
      let kb = Swift.min(p.kc, p.k - p0)
      let (a, b) = (p.a.shifted(rows: 0, columns: p0), p.b.shifted(rows: p0, columns: 0))
      for jr in stride(from: 0, to: p.n, by: nr) {
        let valid = Swift.min(nr, p.n - jr)
        var (sliver, step) = (b.base + jr, b.rowStride)
        if b.columnStride != 1 || valid < nr {
          packBSliver(b.shifted(rows: 0, columns: jr), depth: kb, valid: valid, into: packedB)
          (sliver, step) = (UnsafePointer(packedB), nr)
        }
        inPlaceTiles(
          a, rows: p.m, sliver, step, p.c + jr, ldc: p.ldc, columns: valid, depth: kb,
          accumulate: p0 > 0,
          epilogue: p0 + kb == p.k ? p.epilogue?.shifted(rows: 0, columns: jr) : nil,
          update: p.update)
      }
    }
  }

  /// The tiles of one sliver of B (`columns` ≤ NR wide, rows `step` apart) down all `rows` of A,
  /// each finished by `epilogue` (the last block of k) as it is stored, or moving the parameter
  /// C with `update`.
  static func inPlaceTiles<T: LaneScalar>(
    _ a: StridedMatrix<T>, rows m: Int, _ sliver: UnsafePointer<T>, _ step: Int,
    _ c: UnsafeMutablePointer<T>, ldc: Int, columns: Int, depth: Int, accumulate: Bool,
    epilogue: ProductEpilogue<T>?, update: ProductUpdate<T>?
  ) {
    for ir in stride(from: 0, to: m, by: microTileRows) {
      let rows = Swift.min(microTileRows, m - ir)
      func row(_ r: Int) -> UnsafePointer<T> {
        a.base + (ir + Swift.min(r, rows - 1)) * a.rowStride
      }
      let tile = stridedMicroKernel(
        depth, (row(0), row(1), row(2), row(3), row(4), row(5)), a.columnStride, sliver, step)
      if let update {
        apply(
          update, tile, c + ir * ldc, ldc: ldc, rows: rows, columns: columns, first: !accumulate)
        continue
      }
      store(tile, c + ir * ldc, ldc: ldc, rows: rows, columns: columns, accumulate: accumulate)
      if let epilogue {
        finishTile(
          c + ir * ldc, ldc: ldc, rows: rows, columns: columns,
          epilogue.shifted(rows: ir, columns: 0))
      }
    }
  }

  /// `microKernel` on six rows of A read in place (step p of row r at `a.r + p · aStride`) and
  /// rows of B `bStride` apart: the same two loads, six broadcasts and twelve multiply-adds per
  /// step, in the same order.
  @inline(__always)
  static func stridedMicroKernel<T: LaneScalar>(
    _ depth: Int,
    _ a: (
      UnsafePointer<T>, UnsafePointer<T>, UnsafePointer<T>, UnsafePointer<T>, UnsafePointer<T>,
      UnsafePointer<T>
    ),
    _ aStride: Int, _ b: UnsafePointer<T>, _ bStride: Int
  ) -> Tile<T.Lane> {
    var tile = Tile<T.Lane>()
    var (q, b) = (0, b)
    for _ in 0..<depth {
      let row = TileRow(
        low: UnsafeRawPointer(b).loadUnaligned(as: T.Lane.self),
        high: UnsafeRawPointer(b + T.Lane.scalarCount).loadUnaligned(as: T.Lane.self))
      tile.r0 = multiplyAdd(tile.r0, a.0[q], row)
      tile.r1 = multiplyAdd(tile.r1, a.1[q], row)
      tile.r2 = multiplyAdd(tile.r2, a.2[q], row)
      tile.r3 = multiplyAdd(tile.r3, a.3[q], row)
      tile.r4 = multiplyAdd(tile.r4, a.4[q], row)
      tile.r5 = multiplyAdd(tile.r5, a.5[q], row)
      q &+= aStride
      b += bStride
    }
    return tile
  }
}
