extension Compute {
  /// softmax (or log_softmax) in f32: along the last axis, each row's shifted values are
  /// written to `out` and exponentiated there by the ISA module's vector exp (Compute.exp),
  /// then summed in order as the generic loop does, so only exp's last bit can differ from
  /// it; along another axis, or in place (the log's last loop reads `x` again), the generic
  /// loop runs.
  public static func vectorSoftmax(
    _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ layout: AxisLayout,
    logarithm: Bool, isa: KernelISA = Compute.isa
  ) {
    guard layout.inner == 1, layout.length > 0, UnsafePointer(out) != x else {
      return softmax(x, out, layout, logarithm: logarithm)
    }
    let length = layout.length
    for o in 0..<layout.outer {
      let (row, result) = (x + o * length, out + o * length)
      var largest = -Float.infinity
      for j in 0..<length {
        let v = row[j]
        if v > largest || v.isNaN { largest = v }
        if v.isNaN { break }
      }
      for j in 0..<length { result[j] = shifted(row[j], by: largest) }
      exp(result, result, count: length, isa: isa)
      var total: Float = 0
      for j in 0..<length { total += result[j] }
      if logarithm {
        let logTotal = Float.log(total)
        for j in 0..<length { result[j] = shifted(row[j], by: largest) - logTotal }
      } else {
        for j in 0..<length { result[j] /= total }
      }
    }
  }
}
