/// A dense row-major array of Doubles with a concrete shape: the reference representation used by
/// constant folding, literals and the reference evaluator. Class labels are stored as whole numbers.
public struct Tensor: Sendable, CustomStringConvertible {
  public var shape: [Int]
  public var scalars: [Double]

  /// Internal invariant, unreachable from user input: literals, data and kernels always build
  /// matching counts, and shape rules (verified after every pass) guarantee it for every node.
  public init(shape: [Int], scalars: [Double]) {
    precondition(
      shape.reduce(1, *) == scalars.count, "tensor shape does not match its element count")
    self.shape = shape
    self.scalars = scalars
  }

  public init(_ value: Double) { self.init(shape: [], scalars: [value]) }

  public init(repeating value: Double, shape: [Int]) {
    self.init(shape: shape, scalars: [Double](repeating: value, count: shape.reduce(1, *)))
  }

  public var count: Int { scalars.count }
  public var rank: Int { shape.count }
  public var isScalar: Bool { shape.isEmpty }

  /// The single value all elements share, if they do (a "splat").
  public var splatValue: Double? {
    guard let first = scalars.first else { return nil }
    for x in scalars where x.bitPattern != first.bitPattern { return nil }
    return first
  }

  public var isFinite: Bool { scalars.allSatisfy(\.isFinite) }

  public var description: String { TensorFormat.literal(self) }

  public func map(_ f: (Double) -> Double) -> Tensor {
    Tensor(shape: shape, scalars: scalars.map(f))
  }

  /// Elementwise combination of two tensors of equal shape, or of a tensor and a scalar.
  public func zip(_ other: Tensor, _ f: (Double, Double) -> Double) -> Tensor {
    if other.isScalar && !isScalar {
      let y = other.scalars[0]
      return map { f($0, y) }
    }
    if isScalar && !other.isScalar {
      let x = scalars[0]
      return other.map { f(x, $0) }
    }
    // Internal invariant: elementwise shape rules admit only equal shapes or a scalar operand.
    precondition(shape == other.shape, "elementwise shapes differ")
    var out = [Double](repeating: 0, count: count)
    for i in 0..<count { out[i] = f(scalars[i], other.scalars[i]) }
    return Tensor(shape: shape, scalars: out)
  }

  /// Bit-exact equality (NaN equals NaN with the same payload): what hash-consing needs.
  public func identical(to other: Tensor) -> Bool {
    shape == other.shape
      && scalars.count == other.scalars.count
      && zip2(scalars, other.scalars).allSatisfy { $0.bitPattern == $1.bitPattern }
  }
}

@inline(__always)
func zip2<A: Sequence, B: Sequence>(_ a: A, _ b: B) -> Zip2Sequence<A, B> { Swift.zip(a, b) }

extension Tensor: Hashable {
  public static func == (a: Tensor, b: Tensor) -> Bool { a.identical(to: b) }
  public func hash(into hasher: inout Hasher) {
    hasher.combine(shape)
    for x in scalars { hasher.combine(x.bitPattern) }
  }
}

/// Strides of a row-major shape.
public func rowMajorStrides(_ shape: [Int]) -> [Int] {
  var strides = [Int](repeating: 1, count: shape.count)
  var step = 1
  for axis in (0..<shape.count).reversed() {
    strides[axis] = step
    step *= shape[axis]
  }
  return strides
}
