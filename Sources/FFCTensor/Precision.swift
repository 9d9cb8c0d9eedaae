/// The element type ffc computes in: what `--precision` chooses and what reports print ("f32").
/// Each `KernelScalar` names its own (`Float.precision`); the runtime turns a chosen one back into
/// its element type in one place (`Precision.dispatch`).
public enum Precision: String, CaseIterable, Sendable, CustomStringConvertible {
  case f32, f64

  public var description: String { rawValue }
}
