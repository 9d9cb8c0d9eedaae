import Foundation

/// How a parameter gets its first value. Random initialisers draw from a stream seeded by the run's
/// seed and the parameter's name, so adding a parameter never changes another's values.
public enum Initializer: Hashable, Sendable, CustomStringConvertible {
  case literal(Tensor)
  /// Values kept in a file (`load(...)`) until the parameter's buffer is filled from it.
  case stored(StoredTensor)
  case zeros
  case ones
  case uniform(low: Double, high: Double)
  case normal(mean: Double, std: Double)
  /// Glorot/Xavier uniform: U(-a, a) with a = sqrt(6 / (fanIn + fanOut)).
  case glorot
  /// He/Kaiming normal: N(0, sqrt(2 / fanIn)).
  case he

  public var description: String {
    switch self {
    case .literal(let t): TensorFormat.literal(t)
    case .stored(let t): t.source
    case .zeros: "zeros"
    case .ones: "ones"
    case .uniform(let a, let b): "uniform(\(TensorFormat.number(a)), \(TensorFormat.number(b)))"
    case .normal(let m, let s): "normal(\(TensorFormat.number(m)), \(TensorFormat.number(s)))"
    case .glorot: "glorot"
    case .he: "he"
    }
  }

  /// The value for a parameter of `shape`. `fanInAxis` says which axis of a matrix counts the
  /// inputs: 0 for `X @ W` (W is [in, out]), 1 for `W @ x` (W is [out, in]).
  public func materialize(shape: [Int], name: String, seed: UInt64, fanInAxis: Int = 0) -> Tensor {
    var rng = SplitMix64(seed: seed ^ SplitMix64.stableHash(name))
    let count = shape.reduce(1, *)
    let fanIn = shape.count == 2 ? shape[fanInAxis] : (shape.first ?? 1)
    let fanOut = shape.count == 2 ? shape[1 - fanInAxis] : (shape.first ?? 1)
    let values: [Double]
    switch self {
    case .literal(let t):
      return Tensor(shape: shape, scalars: Kernels.broadcast(t, to: shape).scalars)
    case .stored(let t):
      return t.tensor()
    case .zeros: values = [Double](repeating: 0, count: count)
    case .ones: values = [Double](repeating: 1, count: count)
    case .uniform(let low, let high): values = (0..<count).map { _ in rng.uniform(low, high) }
    case .normal(let mean, let std): values = (0..<count).map { _ in mean + std * rng.normal() }
    case .glorot:
      let a = (6.0 / Double(max(1, fanIn + fanOut))).squareRoot()
      values = (0..<count).map { _ in rng.uniform(-a, a) }
    case .he:
      let std = (2.0 / Double(max(1, fanIn))).squareRoot()
      values = (0..<count).map { _ in std * rng.normal() }
    }
    return Tensor(shape: shape, scalars: values)
  }
}
