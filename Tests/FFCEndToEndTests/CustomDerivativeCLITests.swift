import FFCTestSupport
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
}
