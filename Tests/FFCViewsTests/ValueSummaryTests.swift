import FFCTensor
import FFCViews
import Testing

@Suite struct ValueSummaryTests {
  @Test func numbersAreShortAndExactForIntegers() {
    let cases: [(Double, String)] = [
      (0, "0"), (-0.0, "0"), (16, "16"), (-32, "-32"), (0.98200760, "0.982"),
      (0.0179862, "0.01799"), (6.1441e-6, "6.144e-6"), (4.0181499, "4.018"), (1.5, "1.5"),
      (123456.7, "123457"), (2.5e9, "2.5e9"), (-1e-7, "-1e-7"), (999.96, "1000"),
      (.nan, "nan"), (.infinity, "inf"), (-.infinity, "-inf"),
    ]
    for (x, text) in cases { #expect(ValueSummary.number(x) == text, "\(x)") }
  }

  @Test func aSmallMatrixIsWrittenOutInRows() {
    let summary = ValueSummary(shape: [2, 3], values: [2, -3, 0, -1, 1, 2])
    #expect(summary.rows == [["2", "-3", "0"], ["-1", "1", "2"]])
    #expect(summary.lines == [" 2  -3   0", "-1   1   2"])
    #expect(summary.heat == nil && !summary.isFlagged && summary.shapeText == "[2, 3]")
    #expect(ValueSummary(Tensor(-4)).text == "-4")
    #expect(ValueSummary(shape: [0], values: []).lines == ["(empty)"])
    let long = ValueSummary(shape: [12], values: (1...12).map(Double.init))
    #expect(long.rows?.map(\.count) == [8, 4])
  }

  @Test func aLargeValueIsSummarisedWithAHeatStrip() {
    let values = (0..<100).map { Double($0) - 49.5 }
    let summary = ValueSummary(shape: [4, 25], values: values)
    #expect(summary.rows == nil && summary.fill == nil)
    #expect(summary.lines == ["[4, 25]", "min -49.5  mean 0  max 49.5"])
    let heat = summary.heat ?? []
    #expect(heat.count == ValueSummary.heatCells)
    #expect(heat.first!! < -0.9 && heat.last!! > 0.9)
    #expect(ValueSummary.heatColor(0) == "#ffffff" && ValueSummary.heatColor(1) == "#c0392b")
    #expect(ValueSummary.heatColor(-1) == "#2c6fbb" && ValueSummary.heatColor(nil) == "#9e9e9e")
  }

  @Test func aRepeatedNumberIsOneFill() {
    let summary = ValueSummary(Tensor(repeating: 0.5, shape: [10, 10]))
    #expect(summary.fill == 0.5 && summary.heat == nil && summary.lines == ["[10, 10] all 0.5"])
  }

  @Test func nanAndInfinityAreCountedAndLeftOutOfTheStatistics() {
    var values = [Double](repeating: 1, count: 30)
    values[3] = .nan
    values[7] = .infinity
    values[8] = 3
    let summary = ValueSummary(shape: [30], values: values)
    #expect(summary.isFlagged && summary.nanCount == 1 && summary.infinityCount == 1)
    #expect(summary.statistics?.maximum == 3 && summary.statistics?.minimum == 1)
    #expect(summary.lines.last == "1 nan, 1 inf")
    #expect(summary.heat?.contains { $0 == nil } == true)
    let small = ValueSummary(shape: [2], values: [.nan, 1])
    #expect(small.rows == [["nan", "1"]] && small.flagText == "1 nan")
  }
}
