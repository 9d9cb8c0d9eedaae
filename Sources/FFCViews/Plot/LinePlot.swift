import Foundation

/// One line of a plot: its name in the legend, its points (a nil y or one beyond ±`Ticks.limit` leaves a gap),
/// its colour and whether it is dashed.
public struct PlotSeries: Sendable, Equatable {
  public struct Point: Sendable, Equatable {
    public let x: Double
    public let y: Double?
    public init(x: Double, y: Double?) {
      self.x = x
      self.y = y
    }
  }

  public let name: String
  public let points: [Point]
  public let color: String
  public let dashed: Bool

  public init(name: String, points: [Point], color: String, dashed: Bool = false) {
    self.name = name
    self.points = points
    self.color = color
    self.dashed = dashed
  }

  /// The series with y as log10(y), nil where y is not positive.
  var inDecades: PlotSeries {
    let points = points.map { point in
      Point(x: point.x, y: point.y.flatMap { $0 > 0 ? log10($0) : nil })
    }
    return PlotSeries(name: name, points: points, color: color, dashed: dashed)
  }

  var drawable: [(x: Double, y: Double)] {
    points.compactMap { point in point.y.flatMap { Self.isDrawn($0) ? (point.x, $0) : nil } }
  }

  /// Whether a y is drawn: finite and within the axes' reach, else the curve has a gap.
  static func isDrawn(_ y: Double) -> Bool { abs(y) <= Ticks.limit }
}

/// A line plot as SVG elements: a framed plot area with grid lines at nice ticks, tick labels,
/// axis titles, a title, the series as lines with a dot per point, and a legend. Same plot, same
/// bytes (coordinates are written with one decimal).
public struct LinePlot: Sendable {
  public static let width = 480.0
  public static let height = 320.0
  /// The plot area within the panel.
  static let left = 64.0
  static let right = 20.0
  static let top = 40.0
  static let bottom = 48.0

  public var title: String
  public var xLabel: String
  public var yLabel: String
  public var series: [PlotSeries]
  /// A fixed y range (accuracy: 0...1); otherwise the data's, from 0 when it is all positive.
  public var yRange: ClosedRange<Double>?
  /// y tick labels as percentages (`50%`).
  public var yPercent = false
  /// y on a logarithmic axis (a loss that falls by orders of magnitude); values ≤ 0 leave gaps.
  public var logarithmicY = false
  /// x ticks at whole numbers only (epochs).
  public var wholeNumberX = true

  public init(
    title: String, xLabel: String, yLabel: String, series: [PlotSeries],
    yRange: ClosedRange<Double>? = nil
  ) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.series = series
    self.yRange = yRange
  }

  /// An SVG document of panels side by side.
  public static func document(_ panels: [LinePlot]) -> String {
    let width = Double(Swift.max(1, panels.count)) * width
    var lines = [
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(SVG.number(width))\" height=\"\(SVG.number(height))\" viewBox=\"0 0 \(SVG.number(width)) \(SVG.number(height))\" font-family=\"sans-serif\" font-size=\"12\">",
      "<rect x=\"0\" y=\"0\" width=\"\(SVG.number(width))\" height=\"\(SVG.number(height))\" fill=\"#ffffff\"/>",
    ]
    for (index, panel) in panels.enumerated() {
      lines.append("<g transform=\"translate(\(SVG.number(Double(index) * Self.width)),0)\">")
      lines += panel.elements()
      lines.append("</g>")
    }
    lines.append("</svg>")
    return lines.joined(separator: "\n") + "\n"
  }

  /// The panel's elements, in a `width` x `height` box from the origin.
  public func elements() -> [String] {
    let area = (w: Self.width - Self.left - Self.right, h: Self.height - Self.top - Self.bottom)
    // On a logarithmic axis the plot is drawn in decades: y becomes log10(y), ticks whole decades.
    let series = logarithmicY ? self.series.map(\.inDecades) : self.series
    let points = series.flatMap(\.drawable)
    let xTicks = Ticks(
      covering: points.map(\.x).min() ?? 1, points.map(\.x).max() ?? 1, target: 6,
      wholeNumbers: wholeNumberX)
    let yTicks: Ticks
    let ys = points.map(\.y)
    if let yRange {
      yTicks = Ticks(covering: yRange.lowerBound, yRange.upperBound, target: 5)
    } else if logarithmicY {
      yTicks = Ticks(covering: ys.min() ?? 0, ys.max() ?? 1, target: 5, wholeNumbers: true)
    } else {
      yTicks = Ticks(covering: Swift.min(0, ys.min() ?? 0), ys.max() ?? 1, target: 5)
    }
    let mapX = { (x: Double) in
      Self.left + (x - xTicks.low) / (xTicks.high - xTicks.low) * area.w
    }
    let mapY = { (y: Double) in
      Self.top + area.h - (y - yTicks.low) / (yTicks.high - yTicks.low) * area.h
    }
    var out = [
      SVG.text(title, x: Self.width / 2, y: 24, anchor: "middle", extra: " font-size=\"15\""),
      "<rect x=\"\(SVG.number(Self.left))\" y=\"\(SVG.number(Self.top))\" width=\"\(SVG.number(area.w))\" height=\"\(SVG.number(area.h))\" fill=\"none\" stroke=\"#444444\"/>",
    ]
    for tick in yTicks.values {
      let y = mapY(tick)
      out.append(SVG.line(Self.left, y, Self.left + area.w, y, stroke: "#e3e3e3"))
      let label =
        yPercent
        ? Ticks.percent(tick)
        : logarithmicY ? Self.decade(tick) : yTicks.label(tick)
      out.append(SVG.text(label, x: Self.left - 6, y: y + 4, anchor: "end"))
    }
    for tick in xTicks.values {
      let x = mapX(tick)
      out.append(SVG.line(x, Self.top + area.h, x, Self.top + area.h + 5, stroke: "#444444"))
      out.append(SVG.text(xTicks.label(tick), x: x, y: Self.top + area.h + 18, anchor: "middle"))
    }
    out.append(SVG.text(xLabel, x: Self.left + area.w / 2, y: Self.height - 10, anchor: "middle"))
    out.append(
      SVG.text(
        yLabel, x: 16, y: Self.top + area.h / 2, anchor: "middle",
        extra: " transform=\"rotate(-90 16 \(SVG.number(Self.top + area.h / 2)))\""))
    let shown = series.filter { !$0.drawable.isEmpty }
    for line in shown { out += Self.draw(line, mapX, mapY) }
    if shown.isEmpty {
      out.append(
        SVG.text(
          "no values", x: Self.left + area.w / 2, y: Self.top + area.h / 2, anchor: "middle",
          extra: " fill=\"#777777\""))
    }
    out += legend(shown, mapX, mapY, area: area)
    return out
  }

  /// A decade's label, `0.01` or `1e-300`; 10^tick itself is 0 or infinity past ±308.
  static func decade(_ tick: Double) -> String {
    let value = pow(10, tick)
    return value.isNormal ? ValueSummary.number(value) : "1e\(Int(tick))"
  }

  /// A series as polylines between its gaps, and a dot per point when there are few.
  private static func draw(
    _ series: PlotSeries, _ mapX: (Double) -> Double, _ mapY: (Double) -> Double
  ) -> [String] {
    var runs: [[(Double, Double)]] = [[]]
    for point in series.points {
      if let y = point.y, PlotSeries.isDrawn(y) {
        runs[runs.count - 1].append((mapX(point.x), mapY(y)))
      } else if !runs[runs.count - 1].isEmpty {
        runs.append([])
      }
    }
    let dash = series.dashed ? " stroke-dasharray=\"6 4\"" : ""
    var out: [String] = []
    for run in runs where run.count > 1 {
      let coordinates = run.map { "\(SVG.number($0.0)),\(SVG.number($0.1))" }.joined(separator: " ")
      out.append(
        "<polyline points=\"\(coordinates)\" fill=\"none\" stroke=\"\(series.color)\" stroke-width=\"2\"\(dash)/>"
      )
    }
    let all = runs.joined()
    if all.count <= 60 || runs.contains(where: { $0.count == 1 }) {
      for (x, y) in all {
        out.append(
          "<circle cx=\"\(SVG.number(x))\" cy=\"\(SVG.number(y))\" r=\"2.5\" fill=\"\(series.color)\"/>"
        )
      }
    }
    return out
  }

  /// The series' names with a sample of their lines, in a box at the top right of the plot area,
  /// or at the bottom right when fewer points fall there (rising curves, such as accuracy).
  private func legend(
    _ shown: [PlotSeries], _ mapX: (Double) -> Double, _ mapY: (Double) -> Double,
    area: (w: Double, h: Double)
  ) -> [String] {
    guard !shown.isEmpty else { return [] }
    let width = 40.0 + 7.0 * Double(shown.map(\.name.count).max() ?? 0)
    let height = 8 + 18 * Double(shown.count)
    let left = Self.left + area.w - 8 - width
    let points = shown.flatMap(\.drawable).map { (mapX($0.x), mapY($0.y)) }
    func covered(_ top: Double) -> Int {
      points.count { $0.0 >= left - 4 && $0.1 >= top - 4 && $0.1 <= top + height + 4 }
    }
    let upper = Self.top + 8
    let lower = Self.top + area.h - 8 - height
    let top = covered(lower) < covered(upper) ? lower : upper
    var out = [
      "<rect x=\"\(SVG.number(left))\" y=\"\(SVG.number(top))\" width=\"\(SVG.number(width))\" height=\"\(SVG.number(height))\" fill=\"#ffffff\" fill-opacity=\"0.85\" stroke=\"#bbbbbb\"/>"
    ]
    for (index, line) in shown.enumerated() {
      let y = top + 16 + 18 * Double(index)
      let dash = line.dashed ? " stroke-dasharray=\"6 4\"" : ""
      out.append(
        "<line x1=\"\(SVG.number(left + 6))\" y1=\"\(SVG.number(y - 4))\" x2=\"\(SVG.number(left + 30))\" y2=\"\(SVG.number(y - 4))\" stroke=\"\(line.color)\" stroke-width=\"2\"\(dash)/>"
      )
      out.append(SVG.text(line.name, x: left + 36, y: y, anchor: "start"))
    }
    return out
  }
}

extension Ticks {
  /// A fraction as a percentage label: `0.25` → `25%`.
  static func percent(_ value: Double) -> String {
    let text = String(format: "%.0f%%", value * 100)
    return text == "-0%" ? "0%" : text
  }
}

/// The pieces of SVG the plots write: numbers with one decimal, escaped text.
private enum SVG {
  static func number(_ x: Double) -> String {
    let text = String(format: "%.1f", x)
    let trimmed = text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    return trimmed == "-0" ? "0" : trimmed
  }

  static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String)
    -> String
  {
    "<line x1=\"\(number(x1))\" y1=\"\(number(y1))\" x2=\"\(number(x2))\" y2=\"\(number(y2))\" stroke=\"\(stroke)\"/>"
  }

  static func text(_ text: String, x: Double, y: Double, anchor: String, extra: String = "")
    -> String
  {
    "<text x=\"\(number(x))\" y=\"\(number(y))\" text-anchor=\"\(anchor)\"\(extra)>\(Markup.escaped(text))</text>"
  }
}
