import FFCTestSupport
import Foundation
import Testing

/// `ffc run` fills a batch program's buffers straight from the CSV table (no f64 tensor per
/// declaration): the values are the same bits as the same numbers given by `--set`, whichever
/// columns feed a declaration and in whichever order, in f32 and f64.
@Suite struct DataInPlaceTests {
  func ffc(_ arguments: [String]) throws -> BinaryRunner.Result { try BinaryRunner.run(arguments) }

  /// Numbers with more digits than f32 keeps, some near an f32 rounding boundary.
  static func number(_ i: Int) -> String {
    let mantissa = (i &* 2_654_435_761) % 1_000_003
    return (i % 3 == 0 ? "-" : "") + "\(mantissa % 3).\(mantissa)1"
  }

  @Test(arguments: ["f32", "f64"])
  func csvColumnsRunAsTheSameNumbersGivenBySet(precision: String) throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let program = try scratch.file(
      "p.ffn",
      """
      input X[N, 3]
      target y[N]
      param W[3] = [0.5, -0.25, 0.125]
      output o = tanh(X @ W)
      loss L = mean((X @ W - y) * (X @ W - y))

      """)
    let rows = 40
    var x: [String] = []
    var y: [String] = []
    var lines = ["y,X3,X1,X2"]
    for row in 0..<rows {
      let values = (0..<4).map { Self.number(row * 4 + $0) }
      y.append(values[0])
      x += [values[2], values[3], values[1]]
      lines.append(values.joined(separator: ","))
    }
    let csv = try scratch.file("d.csv", lines.joined(separator: "\n") + "\n")
    let common = ["run", program, "--format", "json", "--grads", "--precision", precision]
    let fromFile = try ffc(common + ["--data", csv])
    #expect(fromFile.status == 0, "\(fromFile.stderr)")
    let fromSet = try ffc(
      common + ["--set", "X=" + x.joined(separator: ","), "--set", "y=" + y.joined(separator: ",")])
    #expect(fromSet.status == 0, "\(fromSet.stderr)")
    // The file's run also reports its row count.
    #expect(fromFile.stdout.contains("\"rows\": 40,\n"), "\(fromFile.stdout)")
    #expect(
      fromFile.stdout.replacingOccurrences(of: "  \"rows\": 40,\n", with: "") == fromSet.stdout)
  }
}
