import FFCTensor
import Foundation

/// What a view shows of one value (a node's tensor): a scalar or a small tensor written out, its
/// numbers in rows along the last axis (a [2, 3] weight as two rows of three); a larger one
/// summarised by its shape, its minimum, mean and maximum and a heat strip; NaNs and infinities
/// counted so that a view can flag them. The DOT with values and the explorer page show the same
/// summaries, so a value reads the same in both.
public struct ValueSummary: Sendable, Equatable {
  /// The most elements written out; past this a value is summarised.
  public static let writtenOutLimit = 16
  /// The most numbers in a written-out row; a longer last axis wraps (a [16] vector as two rows).
  public static let rowLimit = 8
  /// The most cells of a heat strip.
  public static let heatCells = 24

  /// The minimum, mean and maximum of the finite elements (nil when there are none).
  public struct Statistics: Sendable, Equatable {
    public let minimum: Double
    public let mean: Double
    public let maximum: Double
  }

  public let shape: [Int]
  /// Written out: the formatted numbers, one row per stretch of the last axis (a scalar or a
  /// short vector is one row), wrapped after `rowLimit`. Nil when the value is summarised.
  public let rows: [[String]]?
  public let statistics: Statistics?
  /// A summarised value that is not one number repeated: its elements in row-major order cut into
  /// at most `heatCells` stretches, each stretch's mean scaled by the largest magnitude into
  /// -1...1; nil for a stretch that holds a NaN or an infinity.
  public let heat: [Double?]?
  /// A summarised value whose elements are all the same number.
  public let fill: Double?
  public let nanCount: Int
  public let infinityCount: Int

  /// `limit`: the most elements written out (the views' default, or more where there is room).
  public init(_ tensor: Tensor, writtenOutLimit limit: Int = writtenOutLimit) {
    self.init(shape: tensor.shape, values: tensor.scalars, writtenOutLimit: limit)
  }

  public init(shape: [Int], values: [Double], writtenOutLimit limit: Int = writtenOutLimit) {
    self.shape = shape
    nanCount = values.count { $0.isNaN }
    infinityCount = values.count { $0.isInfinite }
    statistics = Self.statistics(of: values)
    if values.count <= limit {
      let columns = Swift.min(shape.last ?? 1, Self.rowLimit)
      let texts = values.map(Self.number)
      rows =
        columns > 0
        ? stride(from: 0, to: texts.count, by: columns).map {
          Array(texts[$0..<Swift.min($0 + columns, texts.count)])
        } : []
      heat = nil
      fill = nil
    } else if let first = values.first, values.allSatisfy({ $0.bitPattern == first.bitPattern }) {
      rows = nil
      heat = nil
      fill = first
    } else {
      rows = nil
      heat = Self.heat(of: values)
      fill = nil
    }
  }

  /// The value holds a NaN or an infinity: views mark it in colour.
  public var isFlagged: Bool { nanCount + infinityCount > 0 }

  /// The shape as ffc prints it: `[2, 3]`, `[]` for a scalar.
  public var shapeText: String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }

  /// The summary as plain text lines: the written-out rows with their columns aligned, or the
  /// shape and statistics; then the count of NaNs and infinities, if any.
  public var lines: [String] {
    var lines: [String]
    if let rows {
      let width = rows.joined().map(\.count).max() ?? 0
      lines = rows.map { row in
        row.map { String(repeating: " ", count: width - $0.count) + $0 }.joined(separator: "  ")
      }
      if lines.isEmpty { lines = ["(empty)"] }
    } else if let fill {
      lines = ["\(shapeText) all \(Self.number(fill))"]
    } else {
      lines = [shapeText] + (statisticsText.map { [$0] } ?? [])
    }
    if let flags = flagText { lines.append(flags) }
    return lines
  }

  public var text: String { lines.joined(separator: "\n") }

  /// The summary on one line, as a node's box shows it: a scalar as its number, written-out rows
  /// in brackets (`[0.1192, 0.8808]`, `[[1, 2], [3, 4]]`), or the shape and the range
  /// (`[4, 3] -1.2…3.4`); then the count of NaNs and infinities, if any.
  public var inlineText: String {
    var text: String
    if let rows {
      let bracketed = rows.map { "[" + $0.joined(separator: ", ") + "]" }
      if shape.isEmpty, let only = rows.first?.first {
        text = only
      } else {
        text = bracketed.count == 1 ? bracketed[0] : "[" + bracketed.joined(separator: ", ") + "]"
      }
    } else if let fill {
      text = "\(shapeText) all \(Self.number(fill))"
    } else if let statistics {
      text = "\(shapeText) \(Self.number(statistics.minimum))…\(Self.number(statistics.maximum))"
    } else {
      text = "\(shapeText) no finite value"
    }
    if let flags = flagText { text += " " + flags }
    return text
  }

  /// `min -1.5  mean 0.25  max 3`, or nil when no element is finite.
  public var statisticsText: String? {
    statistics.map {
      "min \(Self.number($0.minimum))  mean \(Self.number($0.mean))  max \(Self.number($0.maximum))"
    }
  }

  /// `2 nan, 1 inf`, or nil when every element is finite.
  public var flagText: String? {
    var parts: [String] = []
    if nanCount > 0 { parts.append("\(nanCount) nan") }
    if infinityCount > 0 { parts.append("\(infinityCount) inf") }
    return parts.isEmpty ? nil : parts.joined(separator: ", ")
  }

  private static func statistics(of values: [Double]) -> Statistics? {
    var minimum = Double.infinity
    var maximum = -Double.infinity
    var sum = 0.0
    var count = 0
    for x in values where x.isFinite {
      minimum = Swift.min(minimum, x)
      maximum = Swift.max(maximum, x)
      sum += x
      count += 1
    }
    return count == 0
      ? nil : Statistics(minimum: minimum, mean: sum / Double(count), maximum: maximum)
  }

  private static func heat(of values: [Double]) -> [Double?] {
    let cells = Swift.min(heatCells, values.count)
    let scale = values.lazy.filter(\.isFinite).map(abs).max() ?? 0
    return (0..<cells).map { cell in
      let stretch = values[cell * values.count / cells..<(cell + 1) * values.count / cells]
      guard stretch.allSatisfy(\.isFinite) else { return nil }
      let mean = stretch.reduce(0, +) / Double(stretch.count)
      return scale > 0 ? mean / scale : 0
    }
  }
}

extension ValueSummary {
  /// A number in at most four significant digits, the same text on every machine: integers as
  /// they are (`-32`, `16`), others rounded (`0.982`, `6.144e-6`), `nan`, `inf`, `-inf`. Views
  /// show values to be read at a glance; the exact values are in `ffc run`'s report.
  public static func number(_ x: Double) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    if x == 0 { return "0" }
    if x == x.rounded(), abs(x) < 1e6 { return String(Int64(x)) }
    let magnitude = abs(x)
    if magnitude >= 1e-3 && magnitude < 1e6 {
      // Four significant digits in fixed notation, trailing zeros dropped.
      let decimals = Swift.max(0, 3 - Int(floor(log10(magnitude))))
      return trimmed(String(format: "%.\(decimals)f", x))
    }
    let scientific = String(format: "%.3e", x)  // "6.144e-06"
    let parts = scientific.split(separator: "e")
    guard parts.count == 2, let exponent = Int(parts[1]) else { return scientific }
    return trimmed(String(parts[0])) + "e\(exponent)"
  }

  /// `1.500` → `1.5`, `2.000` → `2`.
  private static func trimmed(_ text: String) -> String {
    guard text.contains(".") else { return text }
    var out = Substring(text)
    while out.last == "0" { out = out.dropLast() }
    if out.last == "." { out = out.dropLast() }
    return out == "-0" ? "0" : String(out)
  }

  /// The colour of a heat cell: blue for negative, white for zero, red for positive, grey for a
  /// stretch with a NaN or an infinity; `#rrggbb`.
  public static func heatColor(_ level: Double?) -> String {
    guard let level, level.isFinite else { return "#9e9e9e" }
    let t = Swift.min(1, abs(level))
    // From white towards #2c6fbb (negative) or #c0392b (positive).
    let target: (Double, Double, Double) = level < 0 ? (44, 111, 187) : (192, 57, 43)
    let channels = [target.0, target.1, target.2].map { Int((255 + (($0 - 255) * t)).rounded()) }
    return "#" + channels.map { String(format: "%02x", $0) }.joined()
  }
}
