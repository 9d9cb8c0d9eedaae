extension Compute {
  /// The loop sizes of `C[m, n] = op(A)[m, k] · op(B)[k, n]`; vectors count as a single row or
  /// column.
  public struct MatMulLayout: Sendable {
    public let m: Int
    public let k: Int
    public let n: Int
    public let transposeA: Bool
    public let transposeB: Bool

    public init(a: [Int], b: [Int], transposeA: Bool, transposeB: Bool) {
      let ta = transposeA && a.count == 2
      let tb = transposeB && b.count == 2
      let aRows = a.count == 2 ? (ta ? a[1] : a[0]) : 1
      let inner = a.count == 2 ? (ta ? a[0] : a[1]) : a.first ?? 1
      let bColumns = b.count == 2 ? (tb ? b[0] : b[1]) : 1
      (m, k, n, self.transposeA, self.transposeB) = (aRows, inner, bColumns, ta, tb)
    }

    /// Elements of the packed copy of B that a transposed B needs.
    public var workspaceCount: Int { transposeB && n > 1 ? k * n : 0 }
  }

  /// `C = op(A) · op(B)`. B is first packed row-major `[k, n]` when transposed (into
  /// `workspace`), then C is accumulated row by row as `C[i, :] += A[i, p] · B[p, :]` over tiles of
  /// `p` and `j`: the inner loop runs over contiguous memory and vectorises.
  @inlinable
  public static func matmul<T: KernelScalar>(
    _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ c: UnsafeMutablePointer<T>, _ layout: MatMulLayout,
    workspace: UnsafeMutablePointer<T>?
  ) {
    let (m, k, n) = (layout.m, layout.k, layout.n)
    if n == 1 {
      matrixVector(a, b, c, layout)
      return
    }
    var packedB = b
    if layout.transposeB, let workspace {
      transpose(b, workspace, rows: n, columns: k)
      packedB = UnsafePointer(workspace)
    }
    c.update(repeating: 0, count: m * n)
    let aRowStride = layout.transposeA ? 1 : k
    let aColumnStride = layout.transposeA ? m : 1
    let (pTile, jTile) = (128, 512)
    for j0 in stride(from: 0, to: n, by: jTile) {
      let j1 = Swift.min(n, j0 + jTile)
      for p0 in stride(from: 0, to: k, by: pTile) {
        let p1 = Swift.min(k, p0 + pTile)
        for i in 0..<m {
          let row = c + i * n
          for p in p0..<p1 {
            let scalar = a[i * aRowStride + p * aColumnStride]
            let bRow = packedB + p * n
            for j in j0..<j1 { row[j] += scalar * bRow[j] }
          }
        }
      }
    }
  }

  /// `c[i] = Σ_p op(A)[i, p] b[p]` (B a vector or a one-column matrix).
  @inlinable
  static func matrixVector<T: KernelScalar>(_ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ c: UnsafeMutablePointer<T>, _ layout: MatMulLayout) {
    let (m, k) = (layout.m, layout.k)
    if layout.transposeA {
      c.update(repeating: 0, count: m)
      for p in 0..<k {
        let x = b[p]
        let aRow = a + p * m
        for i in 0..<m { c[i] += aRow[i] * x }
      }
    } else {
      for i in 0..<m {
        let aRow = a + i * k
        var total: T = 0
        for p in 0..<k { total += aRow[p] * b[p] }
        c[i] = total
      }
    }
  }

  /// `out[i, j] = a[i] · b[j]`.
  @inlinable
  public static func outer<T: KernelScalar>(_ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, m: Int, n: Int) {
    for i in 0..<m {
      let x = a[i]
      let row = out + i * n
      for j in 0..<n { row[j] = x * b[j] }
    }
  }
}
