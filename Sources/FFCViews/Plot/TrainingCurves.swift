/// Training curves as an SVG: the training and validation loss per epoch, and beside it the
/// accuracy when the log has one (the classification losses), each with axes, nice ticks and a
/// legend. Drawn from the columns `ffc train --log` writes.
public struct TrainingCurves: Sendable {
  /// One epoch of a training log; nil where the log has no value.
  public struct Epoch: Sendable, Equatable {
    public let epoch: Int
    public let trainingLoss: Double?
    public let trainingAccuracy: Double?
    public let validationLoss: Double?
    public let validationAccuracy: Double?

    public init(
      epoch: Int, trainingLoss: Double?, trainingAccuracy: Double?, validationLoss: Double?,
      validationAccuracy: Double?
    ) {
      self.epoch = epoch
      self.trainingLoss = trainingLoss
      self.trainingAccuracy = trainingAccuracy
      self.validationLoss = validationLoss
      self.validationAccuracy = validationAccuracy
    }
  }

  static let trainingColor = "#1f77b4"
  static let validationColor = "#d95f02"

  public let epochs: [Epoch]
  /// Shown in the panels' titles (the log's file name).
  public let name: String?

  public init(_ epochs: [Epoch], name: String? = nil) {
    self.epochs = epochs
    self.name = name
  }

  public func svg() -> String {
    var loss = panel(
      "loss", training: \.trainingLoss, validation: \.validationLoss, yRange: nil, percent: false)
    // A loss that falls by two orders of magnitude or more is drawn on a logarithmic axis, where
    // its late epochs do not flatten into the floor.
    let losses = epochs.flatMap { [$0.trainingLoss, $0.validationLoss] }.compactMap { $0 }
      .filter(\.isFinite)
    if let low = losses.min(), let high = losses.max(), low > 0, high / low >= 100 {
      loss.logarithmicY = true
      loss.yLabel = "loss (log scale)"
    }
    var panels = [loss]
    if epochs.contains(where: { $0.trainingAccuracy != nil || $0.validationAccuracy != nil }) {
      panels.append(
        panel(
          "accuracy", training: \.trainingAccuracy, validation: \.validationAccuracy,
          yRange: 0...1, percent: true))
    }
    return LinePlot.document(panels)
  }

  private func panel(
    _ quantity: String, training: KeyPath<Epoch, Double?>, validation: KeyPath<Epoch, Double?>,
    yRange: ClosedRange<Double>?, percent: Bool
  ) -> LinePlot {
    var series: [PlotSeries] = []
    for (label, path, color, dashed) in [
      ("training", training, Self.trainingColor, false),
      ("validation", validation, Self.validationColor, true),
    ] where epochs.contains(where: { $0[keyPath: path] != nil }) {
      let points = epochs.map { PlotSeries.Point(x: Double($0.epoch), y: $0[keyPath: path]) }
      series.append(PlotSeries(name: label, points: points, color: color, dashed: dashed))
    }
    let title = name.map { "\(quantity) (\($0))" } ?? quantity
    var plot = LinePlot(
      title: title, xLabel: "epoch", yLabel: quantity, series: series, yRange: yRange)
    plot.yPercent = percent
    return plot
  }
}
