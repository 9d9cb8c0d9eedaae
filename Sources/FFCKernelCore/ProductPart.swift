/// A matrix in memory with arbitrary strides: a transposed operand is the same memory with its
/// strides swapped, so packing reads either kind without a separate transpose.
public struct StridedMatrix<T> {
  public let base: UnsafePointer<T>
  public let rowStride: Int
  public let columnStride: Int

  public init(_ base: UnsafePointer<T>, rowStride: Int, columnStride: Int) {
    self.base = base
    self.rowStride = rowStride
    self.columnStride = columnStride
  }

  @inlinable @inline(__always) public subscript(row: Int, column: Int) -> T {
    base[row * rowStride + column * columnStride]
  }

  /// The sub-matrix starting at (`rows`, `columns`).
  @inlinable public func shifted(rows: Int, columns: Int) -> StridedMatrix {
    StridedMatrix(
      base + rows * rowStride + columns * columnStride, rowStride: rowStride,
      columnStride: columnStride)
  }
}

/// One thread's `C[m, n] = A[m, k] · B[k, n]` (C with row stride `ldc`) and the block sizes it
/// runs with: a `kc × nc` panel of B and an `mc × kc` block of A, packed into `scratch` (A's
/// block first, `aCount` elements, then B's panel). With `interleavesPackingB`, B's panel is
/// packed one sliver just before that sliver's tiles (a panel too large to stay in L2 beside A's
/// block), else whole before the sweep. With `readsInPlace` (operands that fit in L1), A and B
/// are read where they lie and only a transposed B's slivers and the ragged edges are packed.
/// With `prefetchesC` (a part of C larger than L2 holds), each tile's lines of C are fetched as
/// its micro-kernel starts.
public struct ProductPart<T> {
  public let a: StridedMatrix<T>
  public let b: StridedMatrix<T>
  public let c: UnsafeMutablePointer<T>
  public let ldc: Int
  public let m: Int
  public let k: Int
  public let n: Int
  public let mc: Int
  public let kc: Int
  public let nc: Int
  public let aCount: Int
  public let scratch: UnsafeMutablePointer<T>
  public let interleavesPackingB: Bool
  public let readsInPlace: Bool
  public let prefetchesC: Bool
  /// What each tile of C gets after its last block of k, before it leaves the registers.
  public let epilogue: ProductEpilogue<T>?
  /// With an update, C is a parameter that each block of k's tiles move (`ProductUpdate`)
  /// instead of a product stored.
  public let update: ProductUpdate<T>?
  /// With shared panels, the part is the whole product, which every thread given it works on
  /// together, the packed buffers laid out in `scratch` as `SharedPanels` says.
  public let shared: SharedPanels?

  public init(
    a: StridedMatrix<T>, b: StridedMatrix<T>, c: UnsafeMutablePointer<T>, ldc: Int,
    m: Int, k: Int, n: Int, mc: Int, kc: Int, nc: Int, aCount: Int,
    scratch: UnsafeMutablePointer<T>, interleavesPackingB: Bool = false,
    readsInPlace: Bool = false, prefetchesC: Bool = false,
    epilogue: ProductEpilogue<T>? = nil, update: ProductUpdate<T>? = nil,
    shared: SharedPanels? = nil
  ) {
    (self.a, self.b, self.c, self.ldc) = (a, b, c, ldc)
    (self.m, self.k, self.n) = (m, k, n)
    (self.mc, self.kc, self.nc, self.aCount, self.scratch) = (mc, kc, nc, aCount, scratch)
    self.interleavesPackingB = interleavesPackingB
    self.readsInPlace = readsInPlace
    self.prefetchesC = prefetchesC
    self.epilogue = epilogue
    self.update = update
    self.shared = shared
  }
}

/// Plain SGD done by the product whose value is a parameter's gradient (`UpdateFusion`): C is
/// the parameter θ itself, and each tile of each block of k's partial product s, as it leaves
/// the registers, moves θ: `θ ← θ − rate·(s + decay·θ)` for the first block of k (the
/// optimizer's expression, so with one block of k the bits of the gradient stored and the
/// optimizer's loop after), `θ ← θ − rate·s` for each later one (the sum is then rounded in
/// another order: a few units in the last place of θ's change). The gradient is never stored.
public struct ProductUpdate<T> {
  // Held as Doubles, which hold any Float or Double exactly: a layout that does not depend on T,
  // so code generic over T passing one (even a nil one, as every product of a plan does) needs
  // no type metadata for it. With `rate: T` that lookup cost about 300 instructions a product.
  private let rateValue: Double
  private let decayValue: Double
}

extension ProductUpdate where T: BinaryFloatingPoint {
  public init(rate: T, decay: T) { (rateValue, decayValue) = (Double(rate), Double(decay)) }
  @inline(__always) public var rate: T { T(rateValue) }
  @inline(__always) public var decay: T { T(decayValue) }
}

/// The elementwise work a product's only reader does to it, done by the product itself on each
/// tile of C as the tile is stored (a fused epilogue):
/// `C[i, j] = activation(C[i, j] + bias[j]) · step(mask[i, j])`, the bias (if any) one row
/// repeated over the rows, the mask (if any; a ReLU's derivative, step(x) = x > 0 ? 1 : 0) a
/// matrix of C's shape. The same IEEE operations in the same order as the separate loops, the
/// activation by the same lane function, so the bits are the same.
public struct ProductEpilogue<T> {
  /// `n` values, the one for column j at `bias[j]`; nil for none.
  public let bias: UnsafePointer<T>?
  public let activation: EpilogueActivation
  /// The value whose step multiplies C, element (i, j) at `mask[i · maskRowStride + j]`.
  public let mask: UnsafePointer<T>?
  public let maskRowStride: Int

  public init(
    bias: UnsafePointer<T>?, activation: EpilogueActivation, mask: UnsafePointer<T>? = nil,
    maskRowStride: Int = 0
  ) {
    (self.bias, self.activation, self.mask, self.maskRowStride) = (
      bias, activation, mask, maskRowStride
    )
  }

  /// The epilogue of the part of C from (`rows`, `columns`) on.
  @inlinable public func shifted(rows: Int = 0, columns: Int) -> ProductEpilogue {
    ProductEpilogue(
      bias: bias.map { $0 + columns }, activation: activation,
      mask: mask.map { $0 + rows * maskRowStride + columns }, maskRowStride: maskRowStride)
  }
}

/// What a product's epilogue applies after the bias.
public enum EpilogueActivation: String, Sendable, CaseIterable {
  /// `x > 0 ? x : 0` (NaN and -0 give +0), as the relu loop.
  case relu
  /// Nothing after the bias.
  case identity
}
