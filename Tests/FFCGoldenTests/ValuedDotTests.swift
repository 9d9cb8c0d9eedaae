import FFCTestSupport
import Foundation
import Testing

/// `ffc run --emit dot`: the figures' graphs with their values, compared with goldens and drawn by
/// the real Graphviz (skipped where `dot` is absent; CI installs it).
@Suite struct ValuedDotTests {
  static let figures = ["fig11_1", "fig11_2"]

  @Test(arguments: figures)
  func figureDrawsWithItsValuesAsRecorded(figure: String) throws {
    let result = CLI.run(["run", "samples/\(figure).ffn", "--emit", "dot"])
    #expect(result.code == .success, "\(result.stderr)")
    let path = GoldenTests.directory.appendingPathComponent(figure)
      .appendingPathComponent("values.dot")
    if let failure = Golden.check(result.stdout, at: path) { Issue.record("\(failure)") }
    guard let dot = BinaryRunner.which("dot") else {
      #expect(
        ProcessInfo.processInfo.environment["CI"] == nil, "CI must have Graphviz's 'dot' installed")
      return
    }
    let rendered = try BinaryRunner.run(["-Tsvg"], executable: dot, stdin: result.stdout)
    #expect(rendered.status == 0 && rendered.stderr.isEmpty, "\(figure): \(rendered.stderr)")
    #expect(rendered.stdout.contains("<svg"))
  }

  /// The numbers of Example 11.2.2 are on the nodes: o = -4, L = 16, and W1's value beside its
  /// gradient [[0, 0, 0], [16, 16, 16]].
  @Test func figureOneShowsTheTextbookNumbers() {
    let dot = CLI.run(["run", "samples/fig11_1.ffn", "--emit", "dot"]).stdout
    let cell = { (text: String) in "<TD ALIGN=\"RIGHT\">\(text)</TD>" }
    let o = dot.split(separator: "\n").first { $0.contains("o = matmul") } ?? ""
    #expect(o.contains(cell("-4")))
    let w1 = dot.split(separator: "\n").first { $0.contains("param W1") } ?? ""
    #expect(w1.contains("dL/dW1") && w1.contains(cell("&#160;-3")) && w1.contains(cell("16")))
  }

  /// Same values, same bytes, in separate processes: the drawing and the plot of a larger net.
  @Test func drawingsAreIdenticalAcrossProcesses() throws {
    let commands = [
      ["run", "samples/iris.ffn", "--data", "samples/data/iris.csv", "--emit", "dot"],
      ["plot", "Tests/FFCGoldenTests/Golden/plot/classifier.csv"],
    ]
    for command in commands {
      let first = try BinaryRunner.run(command)
      let second = try BinaryRunner.run(command)
      #expect(first.status == 0 && first.stdout == second.stdout, "\(command): \(first.stderr)")
    }
  }

  @Test func nanAndInfinityAreMarkedInRed() {
    let program = """
      input x[3] = [-1, 0, 1]
      output y = log(x)

      """
    let result = CLI.run(["run", "-", "--emit", "dot"], stdinText: program)
    #expect(result.code == .success, "\(result.stderr)")
    let y = result.stdout.split(separator: "\n").first { $0.contains("y = log") } ?? ""
    #expect(y.contains("<B>nan</B>") && y.contains("<B>-inf</B>") && y.contains("penwidth=2"))
  }

  @Test func theReportOptionsDoNotMixWithTheDrawing() {
    for option in [["--trace"], ["--format", "json"], ["--hessian", "W1"]] {
      let result = CLI.run(["run", "samples/fig11_1.ffn", "--emit", "dot"] + option)
      #expect(result.code == .usage && result.stderr.contains("'\(option[0])'"), "\(option)")
    }
  }

  /// A per-example program over a data file is drawn at its first row, a batch program over all
  /// rows; the caption says which.
  @Test func dataFileRunsSayWhichRowsTheyShow() {
    let perExample = CLI.run([
      "run", "samples/fig11_1.ffn", "--data", "samples/data/fig11_1.csv", "--emit", "dot",
    ])
    #expect(perExample.code == .success, "\(perExample.stderr)")
    #expect(perExample.stdout.contains("values of data row 1 of "))
    let batch = CLI.run([
      "run", "samples/xor.ffn", "--data", "samples/data/xor.csv", "--emit", "dot",
    ])
    #expect(batch.code == .success, "\(batch.stderr)")
    #expect(batch.stdout.contains("values over the 4 rows of samples/data/xor.csv"))
  }
}
