import Foundation

/// Axis ticks at "nice" numbers (1, 2 or 5 times a power of ten), as Heckbert's "Nice numbers for
/// graph labels" chooses them: the axis runs from a tick at or below the data to one at or above
/// it, with about `target` intervals between.
public struct Ticks: Sendable, Equatable {
  public let values: [Double]
  public let step: Double

  /// Ticks covering `low...high`; a flat or empty range is widened around its value. With
  /// `wholeNumbers` the step is at least 1 (epochs).
  public init(covering low: Double, _ high: Double, target: Int = 5, wholeNumbers: Bool = false) {
    var (low, high) = (Swift.min(low, high), Swift.max(low, high))
    if !low.isFinite || !high.isFinite { (low, high) = (0, 1) }
    // Within ±limit the span, the step and the outer ticks stay finite: near ±1e308 the span
    // overflows to infinity, the step falls back to 1 and the ticks would never end.
    (low, high) = (Swift.max(low, -Self.limit), Swift.min(high, Self.limit))
    if high - low < Swift.max(abs(high), 1) * 1e-12 {
      let pad = low == 0 ? 1 : abs(low) / 2
      (low, high) = (low - pad, high + pad)
    }
    var step = Self.nice((high - low) / Double(Swift.max(1, target)), rounding: true)
    if wholeNumbers { step = Swift.max(1, step.rounded()) }
    let first = (low / step).rounded(.down)
    let last = (high / step).rounded(.up)
    // Multiples of the step, not repeated additions, so 0.1 * 3 prints as 0.3.
    values = stride(from: first, through: last, by: 1).map { $0 * step }
    self.step = step
  }

  /// The largest magnitude an axis reaches; a plot leaves a gap for values beyond it.
  public static let limit = 1e300

  public var low: Double { values.first ?? 0 }
  public var high: Double { values.last ?? 1 }

  /// A tick's label with as many decimals as the step needs: `0.25`, `1.5`, `10`.
  public func label(_ value: Double) -> String {
    let decimals = Swift.max(0, -Int(floor(log10(step) + 1e-9)))
    let text = String(format: "%.\(decimals)f", value)
    return text.hasPrefix("-") && Double(text) == 0 ? String(text.dropFirst()) : text
  }

  /// The nice number nearest `x` (`rounding`) or at least `x`: 1, 2, 5 or 10 times a power of ten.
  static func nice(_ x: Double, rounding: Bool) -> Double {
    guard x > 0, x.isFinite else { return 1 }
    let exponent = floor(log10(x))
    let fraction = x / pow(10, exponent)
    let niceFraction: Double
    if rounding {
      niceFraction = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
    } else {
      niceFraction = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
    }
    return niceFraction * pow(10, exponent)
  }
}
