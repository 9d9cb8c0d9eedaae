extension Kernels {
  /// numpy `@` for ranks 1 and 2, with optional transposition of matrix operands (the transposes
  /// that backpropagation needs, dW = Aᵀ·dZ, without materialising them).
  public static func matmul(
    _ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false
  ) -> Tensor {
    let lhs = transposeA ? transpose(a) : a
    let rhs = transposeB ? transpose(b) : b
    let rowsA = lhs.rank == 2 ? lhs.shape[0] : 1
    let inner = lhs.shape.last ?? 1
    let colsB = rhs.rank == 2 ? rhs.shape[1] : 1
    var out = [Double](repeating: 0, count: rowsA * colsB)
    for i in 0..<rowsA {
      for k in 0..<inner {
        let x = lhs.scalars[i * inner + k]
        for j in 0..<colsB { out[i * colsB + j] += x * rhs.scalars[k * colsB + j] }
      }
    }
    var shape: [Int] = []
    if lhs.rank == 2 { shape.append(rowsA) }
    if rhs.rank == 2 { shape.append(colsB) }
    return Tensor(shape: shape, scalars: out)
  }

  /// The outer product of two vectors: `[m] ⊗ [n] -> [m, n]`.
  public static func outer(_ a: Tensor, _ b: Tensor) -> Tensor {
    var out = [Double](repeating: 0, count: a.count * b.count)
    for i in 0..<a.count {
      for j in 0..<b.count { out[i * b.count + j] = a.scalars[i] * b.scalars[j] }
    }
    return Tensor(shape: [a.count, b.count], scalars: out)
  }
}
