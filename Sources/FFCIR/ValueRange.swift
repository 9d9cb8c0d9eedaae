import FFCTensor
import Foundation

/// What is known of a value's elements before anything runs: each lies in [lower, upper] (±∞
/// where nothing bounds it), and none is 0 when `excludesZero`. Each op says how its output's
/// range follows from its inputs' (`Op.range`); the lint for unstable patterns reads the result
/// (a logarithm of a value that can be 0, an exp that can overflow).
public struct ValueRange: Sendable, Equatable, CustomStringConvertible {
  public let lower: Double
  public let upper: Double
  public let excludesZero: Bool

  public init(_ lower: Double, _ upper: Double, excludesZero: Bool = false) {
    // A NaN bound (log of a negative bound, ∞ − ∞) knows nothing on its side.
    self.lower = lower.isNaN ? -.infinity : lower
    self.upper = upper.isNaN ? .infinity : upper
    self.excludesZero = excludesZero || self.lower > 0 || self.upper < 0
  }

  public static let unknown = ValueRange(-.infinity, .infinity)
  public static let positive = ValueRange(0, .infinity, excludesZero: true)
  public static let nonnegative = ValueRange(0, .infinity)
  public static let unit = ValueRange(0, 1)
  public static let signs = ValueRange(-1, 1)

  /// The range of a constant's elements.
  public static func of(_ tensor: Tensor) -> ValueRange {
    guard let first = tensor.scalars.first, !tensor.scalars.contains(where: \.isNaN) else {
      return .unknown
    }
    let (low, high) = tensor.scalars.reduce((first, first)) {
      (Swift.min($0.0, $1), Swift.max($0.1, $1))
    }
    return ValueRange(low, high, excludesZero: !tensor.scalars.contains(0))
  }

  public var isPositive: Bool { lower >= 0 && excludesZero }
  public var canBeZero: Bool { !excludesZero }

  public var description: String {
    "[\(lower), \(upper)]\(excludesZero && lower <= 0 && upper >= 0 ? " without 0" : "")"
  }

  public static prefix func - (x: ValueRange) -> ValueRange {
    ValueRange(-x.upper, -x.lower, excludesZero: x.excludesZero)
  }

  public static func + (a: ValueRange, b: ValueRange) -> ValueRange {
    // Two values of one sign, one of them never 0, never sum to 0.
    let sameSign = (a.lower >= 0 && b.lower >= 0) || (a.upper <= 0 && b.upper <= 0)
    return ValueRange(
      a.lower + b.lower, a.upper + b.upper,
      excludesZero: sameSign && (a.excludesZero || b.excludesZero))
  }

  public static func * (a: ValueRange, b: ValueRange) -> ValueRange {
    let products = [a.lower * b.lower, a.lower * b.upper, a.upper * b.lower, a.upper * b.upper]
      .map { $0.isNaN ? 0 : $0 }  // 0 · ∞ at a bound: the product there is 0, not undefined
    return ValueRange(
      products.min() ?? 0, products.max() ?? 0, excludesZero: a.excludesZero && b.excludesZero)
  }

  /// 1/x, known only when x keeps one sign and is never 0.
  public var reciprocal: ValueRange {
    guard excludesZero, lower >= 0 || upper <= 0 else { return .unknown }
    return ValueRange(1 / upper, 1 / lower, excludesZero: true)
  }

  /// The sum of `count` elements of this range (`nil`: a count known only at run time, at least 1).
  public func summed(count: Int?) -> ValueRange {
    let sameSign = lower >= 0 || upper <= 0
    guard let count else {
      return ValueRange(
        lower >= 0 ? lower : -.infinity, upper <= 0 ? upper : .infinity,
        excludesZero: excludesZero && sameSign)
    }
    let n = Double(count)
    return ValueRange(lower * n, upper * n, excludesZero: excludesZero && sameSign && count > 0)
  }

  /// The range of f(x) for a non-decreasing f. `keepsZero`: f(x) = 0 only where x = 0.
  public func through(_ f: (Double) -> Double, keepsZero: Bool = false, excludesZero: Bool = false)
    -> ValueRange
  {
    ValueRange(f(lower), f(upper), excludesZero: excludesZero || (keepsZero && self.excludesZero))
  }
}

/// How an op's output range follows from its inputs' ranges and shapes.
public typealias RangeRule =
  @Sendable (_ inputs: [ValueRange], _ shapes: [Shape], _ attributes: Attributes) -> ValueRange

/// A tighter range for a node whose operands are related values rather than independent ones
/// (x · x is a square; z − max(z) is at most 0), read from the graph and the ranges of the nodes
/// before it; nil when the operands are not so related.
public typealias RelatedRangeRule =
  @Sendable (_ node: Node, _ graph: Graph, _ ranges: [ValueRange]) -> ValueRange?

extension Graph {
  /// Every node's range, in one pass in order: constants know theirs, inputs and parameters are
  /// unknown, and every other node applies its op's rules: the one for related operands first,
  /// then the general one (unknown when the op has none).
  public func valueRanges() -> [ValueRange] {
    var ranges: [ValueRange] = []
    ranges.reserveCapacity(nodes.count)
    for node in nodes {
      if let value = node.constantValue {
        ranges.append(.of(value))
      } else if let related = node.op.relatedRange?(node, self, ranges) {
        ranges.append(related)
      } else if let rule = node.op.range, !node.op.isLeaf {
        ranges.append(
          rule(
            node.inputs.map { ranges[$0.index] }, node.inputs.map { nodes[$0.index].shape },
            node.attributes))
      } else {
        ranges.append(.unknown)
      }
    }
    return ranges
  }
}
