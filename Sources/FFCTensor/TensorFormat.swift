import Foundation

/// Printing numbers and tensors the same way everywhere: shortest round-trip form, `nan`, `inf`.
public enum TensorFormat {
  /// The shortest text that reads back as the same Double, with integers printed without ".0".
  public static func number(_ x: Double) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    if x == x.rounded(), abs(x) < 1e15 {
      let text = String(Int64(x))
      return (x == 0 && x.sign == .minus) ? "-0" : text
    }
    return "\(x)"
  }

  /// The shortest text that reads back as the same value in the given precision: an f32 result
  /// prints as `0.98201376`, not as the f64 expansion of that float.
  public static func number(_ x: Double, in precision: Precision) -> String {
    guard precision == .f32 else { return number(x) }
    let f = Float(x)
    if !f.isFinite || (f == f.rounded() && abs(f) < 1e7) { return number(Double(f)) }
    return "\(f)"
  }

  /// A literal for small tensors; for large ones its shape and either its single value or its
  /// first elements, so a folded constant never floods a printed graph.
  public static func summary(_ t: Tensor, limit: Int = 16) -> String {
    if t.count <= limit { return literal(t) }
    if let value = t.splatValue { return "fill(\(number(value)), \(t.shape))" }
    let head = t.scalars.prefix(6).map(number).joined(separator: ", ")
    return "\(t.shape)[\(head), ...]"
  }

  /// A literal in the .ffn syntax: `2`, `[1, 2]`, `[[1, 2], [3, 4]]`.
  public static func literal(_ t: Tensor) -> String {
    if t.isScalar { return number(t.scalars[0]) }
    var out = ""
    write(t, axis: 0, offset: 0, into: &out)
    return out
  }

  private static func write(_ t: Tensor, axis: Int, offset: Int, into out: inout String) {
    // Iterative over the outermost axis only; rank is at most a handful, never user-scaled depth.
    let strides = rowMajorStrides(t.shape)
    out += "["
    for i in 0..<t.shape[axis] {
      if i > 0 { out += ", " }
      if axis == t.rank - 1 {
        out += number(t.scalars[offset + i])
      } else {
        write(t, axis: axis + 1, offset: offset + i * strides[axis], into: &out)
      }
    }
    out += "]"
  }
}
