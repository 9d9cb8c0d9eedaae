// Shared by FFCKernelsAVX512, FFCKernelsAVX2 and FFCKernelsGeneric (each module's directory links
// this file): one source, compiled once per ISA with that module's `-target-cpu`, so the same
// Swift becomes zmm, ymm or xmm code. `Lanes.swift` in each module sets the vector types. The
// entry points, the loops and the packing share this file so that a build without whole-module
// optimisation (debug) still specialises and inlines them.
import FFCKernelCore

// The lane types are set here, in the file that uses them, so that an incremental build which
// recompiles one file never mixes two tile widths. Package.swift defines which module this is.
#if FFC_AVX512
  // Built with -target-cpu skylake-avx512. In f64 a tile row is two zmm registers (6 rows take
  // 12 of 32); in f32 one: Swift's SIMD32<Float> compiles to scalar code (0.2 GFLOP/s measured),
  // so the f32 tile is 6 × 16 in six zmm accumulators.
  extension Float: LaneScalar { typealias Lane = SIMD16<Float> }
  extension Double: LaneScalar { typealias Lane = SIMD16<Double> }
#elseif FFC_AVX2
  // Built with -target-cpu haswell: a tile row is two ymm registers, 6 rows take 12 of 16.
  extension Float: LaneScalar { typealias Lane = SIMD16<Float> }
  extension Double: LaneScalar { typealias Lane = SIMD8<Double> }
#else
  // The architecture's baseline (SSE2 on x86-64, NEON on arm64): a tile row is two 128-bit
  // registers, 6 rows take 12 of the 16 (x86-64) or 32 (arm64).
  extension Float: LaneScalar { typealias Lane = SIMD8<Float> }
  extension Double: LaneScalar { typealias Lane = SIMD4<Double> }
#endif

extension Kernels {
  public static var tileRows: Int { microTileRows }
  public static var floatTileColumns: Int { Float.Lane.scalarCount }
  public static var doubleTileColumns: Int { Double.Lane.scalarCount }

  public static func blockedProduct(_ part: ProductPart<Float>) { Packed.blockedProduct(part) }
  public static func blockedProduct(_ part: ProductPart<Double>) { Packed.blockedProduct(part) }
}

/// Scalars the packed product runs on; `Lane` (set per module) holds one row of a micro-tile.
protocol LaneScalar: BinaryFloatingPoint, SIMDScalar, Codable {
  associatedtype Lane: SIMD where Lane.Scalar == Self
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

enum Packed {
  /// For each panel of B and each block of A, both packed into scratch, the macro-kernel sweeps
  /// the tiles of C. The first block of k overwrites C; later ones add to it.
  static func blockedProduct<T: LaneScalar>(_ p: ProductPart<T>) {
    let (packedA, packedB) = (p.scratch, p.scratch + p.aCount)
    for j0 in stride(from: 0, to: p.n, by: p.nc) {
      let nb = Swift.min(p.nc, p.n - j0)
      for p0 in stride(from: 0, to: p.k, by: p.kc) {
        let kb = Swift.min(p.kc, p.k - p0)
        packB(p.b.shifted(rows: p0, columns: j0), depth: kb, columns: nb, into: packedB)
        for i0 in stride(from: 0, to: p.m, by: p.mc) {
          let mb = Swift.min(p.mc, p.m - i0)
          packA(p.a.shifted(rows: i0, columns: p0), rows: mb, depth: kb, into: packedA)
          macroKernel(
            packedA, packedB, p.c + i0 * p.ldc + j0, ldc: p.ldc, rows: mb, columns: nb,
            depth: kb, accumulate: p0 > 0)
        }
      }
    }
  }

  /// Every tile of one block of C. The outer loop walks slivers of B, so each sliver stays in L1
  /// while the slivers of A stream past it from L2.
  static func macroKernel<T: LaneScalar>(
    _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ c: UnsafeMutablePointer<T>, ldc: Int,
    rows: Int, columns: Int, depth: Int, accumulate: Bool
  ) {
    let nr = T.Lane.scalarCount
    for jr in stride(from: 0, to: columns, by: nr) {
      for ir in stride(from: 0, to: rows, by: microTileRows) {
        let tile = microKernel(depth, a + ir * depth, b + jr * depth)
        store(
          tile, c + ir * ldc + jr, ldc: ldc, rows: Swift.min(microTileRows, rows - ir),
          columns: Swift.min(nr, columns - jr), accumulate: accumulate)
      }
    }
  }

  /// The 6 × NR tile `Σ_p a[p, :]ᵀ · b[p, :]` over `depth` steps of packed A (6 per step) and B
  /// (NR per step): per step one vector load of B, six broadcasts of A and six multiply-adds of
  /// a two-register lane (`multiplyAdd`, fused where the module's ISA has FMA).
  @inline(__always)
  static func microKernel<T: LaneScalar>(
    _ depth: Int, _ a: UnsafePointer<T>, _ b: UnsafePointer<T>
  ) -> Tile<T.Lane> {
    var tile = Tile<T.Lane>()
    var (a, b) = (a, b)
    for _ in 0..<depth {
      let row = UnsafeRawPointer(b).loadUnaligned(as: T.Lane.self)
      tile.r0 = multiplyAdd(tile.r0, a[0], row)
      tile.r1 = multiplyAdd(tile.r1, a[1], row)
      tile.r2 = multiplyAdd(tile.r2, a[2], row)
      tile.r3 = multiplyAdd(tile.r3, a[3], row)
      tile.r4 = multiplyAdd(tile.r4, a[4], row)
      tile.r5 = multiplyAdd(tile.r5, a[5], row)
      a += 6
      b += T.Lane.scalarCount
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
    if rows == microTileRows && columns == T.Lane.scalarCount {
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
        storeRow(values, row, accumulate)
      } else {
        for j in 0..<columns { row[j] = accumulate ? row[j] + values[j] : values[j] }
      }
    }
  }

  @inline(__always)
  static func storeRow<Lane: SIMD>(
    _ values: Lane, _ row: UnsafeMutablePointer<Lane.Scalar>, _ accumulate: Bool
  ) where Lane.Scalar: FloatingPoint {
    let target = UnsafeMutableRawPointer(row)
    target.storeBytes(
      of: accumulate ? target.loadUnaligned(as: Lane.self) + values : values, as: Lane.self)
  }
}

extension Packed {
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
  static func packB<T: LaneScalar>(
    _ b: StridedMatrix<T>, depth: Int, columns: Int, into out: UnsafeMutablePointer<T>
  ) {
    let nr = T.Lane.scalarCount
    for j0 in stride(from: 0, to: columns, by: nr) {
      let sliver = out + j0 * depth
      let valid = Swift.min(nr, columns - j0)
      let source = b.shifted(rows: 0, columns: j0)
      if valid < nr { sliver.update(repeating: 0, count: depth * nr) }
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
  static func packTransposedSliver<T: LaneScalar>(
    _ b: StridedMatrix<T>, depth: Int, into out: UnsafeMutablePointer<T>
  ) {
    let (nr, cs) = (T.Lane.scalarCount, b.columnStride)
    var o = out
    for p in 0..<depth {
      let row = b.base + p * b.rowStride
      for j in 0..<nr { o[j] = row[j * cs] }
      o += nr
    }
  }
}
