extension Compute {
  /// softmax (or log_softmax) on the path's vector exp, f32 or f64: along the last axis, each
  /// row's shifted values are written to `out` and exponentiated there by the ISA module's exp
  /// (Compute.exp), then summed in order as the generic loop does, so only exp's last bit can
  /// differ from it; along another axis, or in place (the log's last loop reads `x` again), the
  /// generic loop runs. Inlinable, like the scalar loops, so that each precision gets its own
  /// specialised copy in the caller's module (unspecialised, each comparison went through a
  /// witness table).
  @inlinable
  public static func vectorSoftmax<T: KernelScalar>(
    _ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, _ layout: AxisLayout,
    logarithm: Bool, isa: KernelISA = Compute.isa
  ) {
    guard layout.inner == 1, layout.length > 0, UnsafePointer(out) != x else {
      return softmax(x, out, layout, logarithm: logarithm)
    }
    let length = layout.length
    let kernels = isa.kernels
    for o in 0..<layout.outer {
      let (row, result) = (x + o * length, out + o * length)
      var largest = -T.infinity
      for j in 0..<length {
        let v = row[j]
        if v > largest || v.isNaN { largest = v }
        if v.isNaN { break }
      }
      for j in 0..<length { result[j] = shifted(row[j], by: largest) }
      T.vectorExp(kernels, result, result, count: length)
      var total: T = 0
      for j in 0..<length { total += result[j] }
      if logarithm {
        let logTotal = T.log(total)
        for j in 0..<length { result[j] = shifted(row[j], by: largest) - logTotal }
      } else {
        for j in 0..<length { result[j] /= total }
      }
    }
  }

  /// `softmaxCrossEntropy` with each row's exponentials taken by the path's vector exp into a
  /// scratch row and summed in order: only exp's last bit can differ from the scalar loop.
  @inlinable
  public static func vectorSoftmaxCrossEntropy<T: KernelScalar>(
    _ z: UnsafePointer<T>, _ labels: UnsafePointer<T>, rows: Int, classes: Int,
    isa: KernelISA = Compute.isa
  ) -> T {
    guard classes > 0 else { return softmaxCrossEntropy(z, labels, rows: rows, classes: classes) }
    let kernels = isa.kernels
    return withUnsafeTemporaryAllocation(of: T.self, capacity: classes) { buffer in
      let scratch = buffer.baseAddress!
      var total: T = 0
      for r in 0..<rows {
        let row = z + r * classes
        let label = labels[r]
        guard label >= 0, label < T(classes), label == label.rounded(.towardZero) else {
          return .nan
        }
        var largest = -T.infinity
        for j in 0..<classes where row[j] > largest || row[j].isNaN { largest = row[j] }
        for j in 0..<classes { scratch[j] = shifted(row[j], by: largest) }
        T.vectorExp(kernels, scratch, scratch, count: classes)
        var sum: T = 0
        for j in 0..<classes { sum += scratch[j] }
        total += T.log(sum) - shifted(row[Int(label)], by: largest)
      }
      return total / T(Swift.max(1, rows))
    }
  }
}
