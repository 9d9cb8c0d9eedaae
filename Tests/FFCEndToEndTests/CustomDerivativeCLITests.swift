import FFCTestSupport
import Foundation
import Testing

/// `ffc check` on programs whose functions state their derivative: a stated derivative is not
/// compared with finite differences (it need not be the true one) unless declared exact, and a
/// wrong exact one fails.
@Suite struct CustomDerivativeCLITests {
  static func program(_ clause: String) -> String {
    """
    def f(x) {
      return x * x
      \(clause)
    }
    param x[3] = [1, -2, 0.5]
    param w[3] = [0.5, 1, -1]
    h = f(x)
    J = jacobian(h, x)
    loss L = sum(h * w) + sum(w * w)

    """
  }

  @Test func aStatedDerivativeIsReportedNotChecked() {
    let result = CLI.run(["check", "-"], stdinText: Self.program("derivative(g) = g"))
    #expect(result.code == .success, "\(result.stderr)")
    let rows = result.stdout.split(separator: "\n")
    #expect(
      rows.contains {
        $0.hasPrefix("x ") && $0.hasSuffix("not checked (custom derivative at line 3)")
      })
    #expect(rows.contains { $0.hasPrefix("w ") && $0.hasSuffix(" ok") })
    #expect(
      rows.contains {
        $0.hasPrefix("jacobian") && $0.hasSuffix("not checked (custom derivative at line 3)")
      })
    #expect(
      result.stdout.contains("every gradient checked agrees; 1 not checked (a custom derivative)"))
  }

  @Test func anExactDerivativeIsChecked() {
    let right = CLI.run(["check", "-"], stdinText: Self.program("derivative(g) exact = 2 * g * x"))
    #expect(right.code == .success, "\(right.stdout)")
    #expect(right.stdout.contains("every gradient agrees\n"))
    #expect(!right.stdout.contains("not checked"))
    let wrong = CLI.run(["check", "-"], stdinText: Self.program("derivative(g) exact = g * x"))
    #expect(wrong.code == .programError)
    #expect(wrong.stdout.contains("FAIL"))
  }

  /// samples/straight_through.ffn trains through sign as its comment says, and the saved
  /// program (its derivative clause kept) runs.
  @Test func theStraightThroughSampleTrains() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let saved = scratch.url.appendingPathComponent("st-trained.ffn").path
    let data = "samples/data/straight_through.csv"
    let train = CLI.run([
      "train", "samples/straight_through.ffn", "--data", data, "--epochs", "500", "--lr", "0.1",
      "--seed", "1", "--save", saved, "--quiet",
    ])
    #expect(train.code == .success, "\(train.stderr)")
    let run = CLI.run(["run", saved, "--data", data, "--format", "csv"])
    #expect(run.code == .success, "\(run.stderr)")
    let outputs = run.stdout.split(separator: "\n").filter { $0.hasPrefix("output,f,") }
      .compactMap { Double($0.split(separator: ",")[3]) }
    #expect(outputs.count == 4)
    for (output, target) in zip(outputs, [0.0, 1, 1, 0]) {
      #expect(abs(output - target) < 0.001, "\(outputs)")
    }
  }
}
