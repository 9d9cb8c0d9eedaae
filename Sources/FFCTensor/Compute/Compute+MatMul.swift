import Foundation

extension Compute {
  /// How the threads of a packed product divide it (`GEMMBlocking.sharesPanels`).
  public enum ThreadSplit: Sendable, Equatable {
    /// Shared panels for products of `GEMMBlocking.sharedWork` multiply-adds and more, parts
    /// split ahead below.
    case automatic
    /// One part of C per thread, each packing its own operands.
    case ahead
    /// Shared packed panels, blocks claimed as threads come free (`SharedPanels`).
    case shared
  }

  /// The loop sizes of `C[m, n] = op(A)[m, k] · op(B)[k, n]`; vectors count as a single row or
  /// column.
  public struct MatMulLayout: Sendable, Equatable {
    public let m: Int
    public let k: Int
    public let n: Int
    public let transposeA: Bool
    public let transposeB: Bool
    /// The most threads a large product may use (`Compute.threadLimit` unless a test asks for
    /// another split).
    public var maxThreads: Int
    /// The kernel path (the process's unless a test or a benchmark asks for another), fixed
    /// when the plan is built.
    public var isa: KernelISA
    /// How threads split the product (automatic unless a test or a benchmark asks for one).
    public var threadSplit: ThreadSplit = .automatic

    public init(
      a: [Int], b: [Int], transposeA: Bool, transposeB: Bool, maxThreads: Int = Compute.threadLimit
    ) {
      let ta = transposeA && a.count == 2
      let tb = transposeB && b.count == 2
      let aRows = a.count == 2 ? (ta ? a[1] : a[0]) : 1
      let inner = a.count == 2 ? (ta ? a[0] : a[1]) : a.first ?? 1
      let bColumns = b.count == 2 ? (tb ? b[0] : b[1]) : 1
      (m, k, n, self.transposeA, self.transposeB) = (aRows, inner, bColumns, ta, tb)
      self.maxThreads = Swift.max(1, maxThreads)
      self.isa = Compute.isa
    }

    /// Products below this many multiply-adds run as a plain loop: packing would cost more than
    /// it saves.
    static let packedWork = 8 * 1024

    /// Whether the product goes through the packed, blocked kernel. Matrix-vector products
    /// (m = 1 or n = 1) read each element of the matrix once, so packing cannot pay off.
    var isPacked: Bool { m > 1 && n > 1 && k > 0 && m * k * n >= Self.packedWork }

    /// FLOPs of the product, counting a multiply-add as two.
    public var flops: Double { 2 * Double(m) * Double(k) * Double(n) }

    /// Elements of scratch memory the product needs: each thread's packed panels of A and B;
    /// `updating` (`ProductUpdate`), the product of the plain loops too, which is not packed.
    public func workspaceCount<T: PanelScalar>(_: T.Type, updating: Bool = false) -> Int {
      guard isPacked else { return updating ? m * n : 0 }
      return GEMMBlocking(self, T.self).workspaceCount
    }
  }

  /// Threads a large matrix product splits into: `FFC_THREADS` if set (for measurements), else
  /// every active core.
  public static let threadLimit: Int = {
    if let text = ProcessInfo.processInfo.environment["FFC_THREADS"], let n = Int(text), n >= 1 {
      return Swift.min(n, 64)
    }
    return Swift.max(1, ProcessInfo.processInfo.activeProcessorCount)
  }()

  /// `C = op(A) · op(B)`, written to `c` (which must not alias an input). Large products run the
  /// packed, blocked kernel (`Compute+GEMM.swift`) in `workspace`, which holds
  /// `layout.workspaceCount(T.self)` elements (nil: allocated here, for callers outside a plan);
  /// small ones and matrix-vector products run plain loops. Every element of C is a sum over p in
  /// increasing order, however the product is split, so results do not depend on the threads.
  /// With `epilogue`, C is finished by it: the packed kernel applies it to each tile as the tile
  /// is stored, the plain loops in a pass after; either way the bits are those of the separate
  /// loops (`ProductEpilogue`). With `update`, `c` is the parameter the product is the gradient
  /// of, moved by it and the optimizer's plain SGD step (`ProductUpdate`): the packed kernel
  /// moves it tile by tile, the plain loops' product (into `workspace`, which then holds
  /// `layout.workspaceCount(T.self, updating: true)` elements) in a pass after.
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public static func matmul<T: KernelScalar>(
    _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ c: UnsafeMutablePointer<T>,
    _ layout: MatMulLayout,
    workspace: UnsafeMutablePointer<T>?, epilogue: ProductEpilogue<T>? = nil,
    update: ProductUpdate<T>? = nil
  ) {
    let (m, k, n) = (layout.m, layout.k, layout.n)
    guard m > 0, n > 0 else { return }
    if let update, !layout.isPacked {
      let count = m * n
      let g = workspace ?? UnsafeMutablePointer<T>.allocate(capacity: count)
      defer { if workspace == nil { g.deallocate() } }
      matmul(a, b, g, layout, workspace: nil)
      let (rate, decay) = (update.rate, update.decay)
      for i in 0..<count { c[i] = c[i] - rate * (g[i] + decay * c[i]) }
      return
    }
    let lhs = StridedMatrix(
      a, rowStride: layout.transposeA ? 1 : k, columnStride: layout.transposeA ? m : 1)
    let rhs = StridedMatrix(
      b, rowStride: layout.transposeB ? 1 : n, columnStride: layout.transposeB ? k : 1)
    if k == 0 {
      c.update(repeating: 0, count: m * n)
    } else if n == 1 {
      matrixVector(lhs, b, c, m: m, k: k)
    } else if !layout.isPacked {
      directProduct(lhs, rhs, c, m: m, k: k, n: n)
    } else if let workspace {
      packedProduct(lhs, rhs, c, layout, workspace: workspace, epilogue: epilogue, update: update)
      return
    } else {
      let count = layout.workspaceCount(T.self)
      let scratch = UnsafeMutablePointer<T>.allocate(capacity: count)
      defer { scratch.deallocate() }
      packedProduct(lhs, rhs, c, layout, workspace: scratch, epilogue: epilogue, update: update)
      return
    }
    if let epilogue { finish(c, m: m, n: n, epilogue, isa: layout.isa) }
  }

  /// A product's epilogue as a pass over C (the products not packed): per element the packed
  /// tile store's operations, the bias, relu, then the mask.
  static func finish<T: KernelScalar>(
    _ c: UnsafeMutablePointer<T>, m: Int, n: Int, _ epilogue: ProductEpilogue<T>,
    isa: KernelISA
  ) {
    for i in 0..<m {
      let row = c + i * n
      for j in 0..<n {
        var x = row[j]
        if let bias = epilogue.bias { x = x + bias[j] }
        if epilogue.activation == .relu { x = x > 0 ? x : 0 }
        row[j] = x
      }
    }
    if let mask = epilogue.mask {
      for i in 0..<m {
        let (row, maskRow) = (c + i * n, mask + i * epilogue.maskRowStride)
        for j in 0..<n { row[j] = row[j] * (maskRow[j] > 0 ? 1 : 0) }
      }
    }
  }

  /// `c[i] = Σ_p op(A)[i, p] b[p]` (B a vector or a one-column matrix). A transposed A is read
  /// column by column so the inner loop stays contiguous.
  static func matrixVector<T: KernelScalar>(
    _ a: StridedMatrix<T>, _ b: UnsafePointer<T>, _ c: UnsafeMutablePointer<T>, m: Int, k: Int
  ) {
    if a.columnStride == 1 {
      for i in 0..<m {
        let row = a.base + i * a.rowStride
        var total: T = 0
        for p in 0..<k { total += row[p] * b[p] }
        c[i] = total
      }
    } else {
      c.update(repeating: 0, count: m)
      for p in 0..<k {
        let x = b[p]
        let column = a.base + p * a.columnStride
        for i in 0..<m { c[i] += column[i] * x }
      }
    }
  }

  /// A small product as a plain loop. With B's rows contiguous, `C[i, :] += A[i, p] · B[p, :]`
  /// (the inner loop vectorises); with B transposed, each element is a dot product over
  /// contiguous memory.
  static func directProduct<T: KernelScalar>(
    _ a: StridedMatrix<T>, _ b: StridedMatrix<T>, _ c: UnsafeMutablePointer<T>, m: Int, k: Int,
    n: Int
  ) {
    if b.columnStride == 1 {
      for i in 0..<m {
        let row = c + i * n
        row.update(repeating: 0, count: n)
        for p in 0..<k {
          let scalar = a[i, p]
          let bRow = b.base + p * b.rowStride
          for j in 0..<n { row[j] += scalar * bRow[j] }
        }
      }
    } else {
      for i in 0..<m {
        for j in 0..<n {
          let column = b.base + j * b.columnStride
          var total: T = 0
          for p in 0..<k { total += a[i, p] * column[p] }
          c[i * n + j] = total
        }
      }
    }
  }

  /// `out[i, j] = a[i] · b[j]`.
  @inlinable
  public static func outer<T: KernelScalar>(
    _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, m: Int, n: Int
  ) {
    for i in 0..<m {
      let x = a[i]
      let row = out + i * n
      for j in 0..<n { row[j] = x * b[j] }
    }
  }
}
