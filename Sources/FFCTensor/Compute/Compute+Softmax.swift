extension Compute {
  /// A value seen as `outer × length × inner` around one axis.
  public struct AxisLayout: Sendable {
    public let outer: Int
    public let length: Int
    public let inner: Int

    public init(shape: [Int], axis: Int) {
      outer = shape[..<axis].reduce(1, *)
      length = shape[axis]
      inner = shape[(axis + 1)...].reduce(1, *)
    }
  }

  /// softmax (or, with `logarithm`, log_softmax) along the layout's axis, shifted by the maximum
  /// so that exp never overflows.
  @inlinable
  public static func softmax<T: KernelScalar>(
    _ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, _ layout: AxisLayout, logarithm: Bool
  ) {
    let (length, inner) = (layout.length, layout.inner)
    for o in 0..<layout.outer {
      for i in 0..<inner {
        let base = o * length * inner + i
        var largest = -T.infinity
        for j in 0..<length {
          let v = x[base + j * inner]
          if v > largest || v.isNaN { largest = v }
          if v.isNaN { break }
        }
        var total: T = 0
        for j in 0..<length { total += T.exp(shifted(x[base + j * inner], by: largest)) }
        let logTotal = T.log(total)
        for j in 0..<length {
          let s = shifted(x[base + j * inner], by: largest)
          out[base + j * inner] = logarithm ? s - logTotal : T.exp(s) / total
        }
      }
    }
  }

  /// x − max, with an infinite maximum shifting itself to 0 rather than to inf − inf = NaN.
  @inlinable
  static func shifted<T: KernelScalar>(_ x: T, by largest: T) -> T {
    x.isInfinite && x == largest ? 0 : x - largest
  }

  /// The mean over rows of −log softmax(z)[label]; `z` is `[rows, classes]`. A label that is not
  /// a whole number in 0..<classes makes the result NaN (data loading rejects such labels first).
  @inlinable
  public static func softmaxCrossEntropy<T: KernelScalar>(
    _ z: UnsafePointer<T>, _ labels: UnsafePointer<T>, rows: Int, classes: Int
  ) -> T {
    var total: T = 0
    for r in 0..<rows {
      let row = z + r * classes
      let label = labels[r]
      guard label >= 0, label < T(classes), label == label.rounded(.towardZero) else { return .nan }
      var largest = -T.infinity
      for j in 0..<classes where row[j] > largest || row[j].isNaN { largest = row[j] }
      var sum: T = 0
      for j in 0..<classes { sum += T.exp(shifted(row[j], by: largest)) }
      total += T.log(sum) - shifted(row[Int(label)], by: largest)
    }
    return total / T(Swift.max(1, rows))
  }

  /// The mean of max(z, 0) − z·t + log(1 + exp(−|z|)).
  @inlinable
  public static func sigmoidCrossEntropy<T: KernelScalar>(
    _ z: UnsafePointer<T>, _ t: UnsafePointer<T>, count: Int
  ) -> T {
    var total: T = 0
    for i in 0..<count {
      let x = z[i]
      total += Swift.max(x, 0) - x * t[i] + T.log1p(T.exp(-Swift.abs(x)))
    }
    return total / T(Swift.max(1, count))
  }

  /// Rows of `classes` zeros with a one at each label; a row of NaN for an invalid label.
  @inlinable
  public static func oneHot<T: KernelScalar>(
    _ labels: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, count: Int, classes: Int
  ) {
    out.update(repeating: 0, count: count * classes)
    for r in 0..<count {
      let label = labels[r]
      if label >= 0, label < T(classes), label == label.rounded(.towardZero) {
        out[r * classes + Int(label)] = 1
      } else {
        (out + r * classes).update(repeating: .nan, count: classes)
      }
    }
  }
}
