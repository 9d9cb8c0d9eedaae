// Shared by the three ISA kernel modules (see PackedProduct.swift). Cache-line prefetches for the
// packed product: the one thing the hardware prefetchers do not do for it.
import FFCKernelCore

/// LLVM's prefetch intrinsic (`prefetcht0/t1`, `prefetchw` on x86-64, `prfm` on arm64): a hint
/// that never faults, so an address past the end of a buffer is harmless. Swift has no prefetch
/// of its own; an intrinsic named this way is the LLVM instruction itself, not a call.
/// `write`: 1 to write the line, 0 to read it; `locality`: 3 to keep it in L1, 2 in L2.
@_silgen_name("llvm.prefetch.p0")
private func llvmPrefetch(
  _ address: UnsafeRawPointer, _ write: Int32, _ locality: Int32, _ cacheKind: Int32)

/// What a prefetched line is for. LLVM needs the intrinsic's arguments as constants, so each kind
/// calls it with its own literals.
enum PrefetchKind {
  /// A line about to be written, into L1 (C's tiles).
  case writeNear
  /// A line about to be read, into L1 (an epilogue's mask).
  case readNear
  /// A line to be read a while later, into L2 (the next sliver of B to pack).
  case readL2

  @inline(__always) func fetch(_ line: UnsafeRawPointer) {
    switch self {
    case .writeNear: llvmPrefetch(line, 1, 3, 1)
    case .readNear: llvmPrefetch(line, 0, 3, 1)
    case .readL2: llvmPrefetch(line, 0, 2, 1)
    }
  }
}

/// Fetches the cache lines of `rows` rows of `bytes` bytes each, `stride` elements apart.
@inline(__always)
func prefetchRows<T>(
  _ base: UnsafePointer<T>, rows: Int, stride: Int, bytes: Int, _ kind: PrefetchKind
) {
  guard bytes > 0 else { return }
  let step = stride * MemoryLayout<T>.stride
  var start = Int(bitPattern: base)
  for _ in 0..<rows {
    var line = start & ~(cacheLineBytes - 1)
    while line < start + bytes {
      if let address = UnsafeRawPointer(bitPattern: line) { kind.fetch(address) }
      line += cacheLineBytes
    }
    start += step
  }
}

/// The lines of a sliver of B still to be packed (`depth` steps of `columns` ≤ NR columns),
/// fetched into L2 a share at a time while the tiles of the sliver before it run: packing then
/// copies from L2 instead of waiting on memory for each of its lines, rows a panel's row stride
/// apart that the hardware prefetchers do not follow (W4's 512 rows 8 KiB apart per sliver).
struct SliverPrefetch<T> {
  let source: StridedMatrix<T>
  /// Rows of memory: B's rows when its columns are contiguous, else its columns.
  let lines: Int
  let bytes: Int
  let stride: Int
  /// Rows of memory fetched per tile.
  let share: Int

  /// Nil when B is strided both ways (no contiguous rows to fetch).
  init?(_ source: StridedMatrix<T>, depth: Int, columns: Int, tiles: Int) {
    let size = MemoryLayout<T>.stride
    if source.columnStride == 1 {
      (lines, bytes, stride) = (depth, columns * size, source.rowStride)
    } else if source.rowStride == 1 {
      (lines, bytes, stride) = (columns, depth * size, source.columnStride)
    } else {
      return nil
    }
    self.source = source
    share = (lines + tiles - 1) / Swift.max(1, tiles)
  }

  /// The share of tile `tile` (0, 1, ...) of the sliver before.
  @inline(__always) func fetch(tile: Int) {
    let first = tile * share
    guard first < lines else { return }
    prefetchRows(
      source.base + first * stride, rows: Swift.min(share, lines - first), stride: stride,
      bytes: bytes, .readL2)
  }
}
