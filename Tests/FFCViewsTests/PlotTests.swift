import FFCViews
import Foundation
import Testing

@Suite struct TicksTests {
  @Test func ticksAreNiceNumbersCoveringTheData() {
    let loss = Ticks(covering: 0, 1.92)
    #expect(
      loss.values == [0, 0.5, 1, 1.5, 2] && loss.label(1.5) == "1.5" && loss.label(2) == "2.0")
    #expect(
      Ticks(covering: 1, 30, target: 6, wholeNumbers: true).values == [0, 5, 10, 15, 20, 25, 30])
    #expect(Ticks(covering: 1, 3, target: 6, wholeNumbers: true).values == [1, 2, 3])
    #expect(
      Ticks(covering: 0, 1).values.map { Ticks(covering: 0, 1).label($0) } == [
        "0.0", "0.2", "0.4", "0.6", "0.8", "1.0",
      ])
    #expect(Ticks(covering: 0.0012, 0.0047).values.count >= 3)
  }

  @Test func aFlatOrNonFiniteRangeIsWidened() {
    let flat = Ticks(covering: 2, 2)
    #expect(flat.low < 2 && flat.high > 2)
    let zero = Ticks(covering: 0, 0)
    #expect(zero.low < 0 && zero.high > 0)
    #expect(Ticks(covering: .nan, .infinity).values.first == 0)
  }

  /// Near ±1e308 the span overflows: the ticks still end, and every one is finite.
  @Test(.timeLimit(.minutes(1))) func theLargestNumbersHaveFewFiniteTicks() {
    for (low, high) in [(-1e308, 1.7e308), (0, 1.7e308), (-Double.greatestFiniteMagnitude, 0)] {
      let ticks = Ticks(covering: low, high)
      #expect(ticks.values.count <= 12 && ticks.values.allSatisfy(\.isFinite), "\(low)...\(high)")
    }
  }
}

@Suite struct TrainingCurvesTests {
  static func epoch(_ n: Int, _ loss: Double?, accuracy: Double? = nil) -> TrainingCurves.Epoch {
    TrainingCurves.Epoch(
      epoch: n, trainingLoss: loss, trainingAccuracy: accuracy, validationLoss: nil,
      validationAccuracy: nil)
  }

  @Test func aLossWithoutAccuracyIsOnePanel() {
    let svg = TrainingCurves([Self.epoch(1, 2), Self.epoch(2, 1)]).svg()
    #expect(svg.contains("width=\"480\"") && !svg.contains(">accuracy<"))
    #expect(svg.contains(">training<") && !svg.contains(">validation<"))
  }

  @Test func accuracyAddsAPanelInPercent() {
    let svg = TrainingCurves([Self.epoch(1, 2, accuracy: 0.5), Self.epoch(2, 1, accuracy: 0.75)])
      .svg()
    #expect(svg.contains("width=\"960\"") && svg.contains(">accuracy<") && svg.contains(">100%<"))
  }

  @Test func oneEpochAndNoValuesStillDraw() {
    let one = TrainingCurves([Self.epoch(1, 0.5)]).svg()
    #expect(one.contains("<circle"))
    let none = TrainingCurves([Self.epoch(1, .nan)]).svg()
    #expect(none.contains(">no values<") && !none.contains("nan"))
  }

  /// A loss beyond ±1e300 (a run that diverged) leaves a gap, as infinity does.
  @Test(.timeLimit(.minutes(1))) func hugeLossesLeaveGapsNotNaNCoordinates() {
    let svg = TrainingCurves([Self.epoch(1, 1e308), Self.epoch(2, -1e308), Self.epoch(3, 1)])
      .svg()
    #expect(!svg.contains("nan") && !svg.contains("inf") && svg.contains("<circle"))
    // On a logarithmic axis past 1e±308 the decades are labelled, not 0 or inf.
    let tiny = TrainingCurves([Self.epoch(1, 1), Self.epoch(2, 1e-320)]).svg()
    #expect(tiny.contains(">1e-350</text>") && !tiny.contains(">0</text>"))
    let large = TrainingCurves([Self.epoch(1, 1e308), Self.epoch(2, 1)]).svg()
    #expect(large.contains(">1e350</text>") && !large.contains("inf"))
  }

  @Test func aLossFallingByDecadesIsDrawnOnALogarithmicAxis() {
    let falling = TrainingCurves((1...4).map { Self.epoch($0, pow(10, 2 - Double($0))) }).svg()
    #expect(falling.contains(">loss (log scale)<"))
    for label in ["0.01", "0.1", "1", "10"] {
      #expect(falling.contains(">\(label)</text>"), "\(label)")
    }
    let gentle = TrainingCurves([Self.epoch(1, 2), Self.epoch(2, 0.05)]).svg()
    #expect(!gentle.contains("log scale"))
    // A zero loss has no logarithm: the axis stays linear.
    let zero = TrainingCurves([Self.epoch(1, 100), Self.epoch(2, 0)]).svg()
    #expect(!zero.contains("log scale"))
  }

  @Test func textIsEscaped() {
    let svg = TrainingCurves([Self.epoch(1, 1)], name: "a<b&c").svg()
    #expect(svg.contains("loss (a&lt;b&amp;c)"))
  }
}
