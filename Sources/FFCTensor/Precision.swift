/// The element type ffc computes in: what `--precision` chooses and what reports print ("f32").
/// Each `KernelScalar` names its own (`Float.precision`); the runtime turns a chosen one back into
/// its element type in one place (`Precision.dispatch`).
public enum Precision: String, CaseIterable, Sendable, CustomStringConvertible {
  case f32, f64

  public var description: String { rawValue }

  /// A non-zero finite number this precision rounds to 0 or to a subnormal (1e-200 in f32, 1e-40
  /// in f32): a log of it is -inf, a division by it inf, and subnormals lose digits.
  public func underflows(_ x: Double) -> Bool {
    guard x != 0, x.isFinite else { return false }
    switch self {
    case .f32: return Float(x) == 0 || Float(x).isSubnormal
    case .f64: return x.isSubnormal
    }
  }
}
