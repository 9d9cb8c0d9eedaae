import FFCPasses
import FFCRuntime
import FFCTestSupport
import Testing

/// `ffc check` fails only a real disagreement: large losses, steps larger than θ, kinks that meet,
/// jumps and overflowing differences are told apart (issue 12, item 4).
@Suite struct GradientCheckVerdictTests {
  func check(_ text: String) throws -> [GradientCheck.Parameter] {
    let graph = try Programs.compile(text, differentiate: true)
    return try GradientCheck.run(
      graph, leaves: LeafValues(graph, feeds: [:], seed: 0), settings: .init())
  }

  /// L ≈ 3·10⁸: a step of 10⁻⁶ leaves 0.05 of round-off; a larger step resolves w's gradient.
  @Test func aLargeLossDoesNotFailACorrectGradient() throws {
    let report = try check(
      "param x[3] = [1000, 1001, 999.5]\nparam w[2] = [0.3, -1.2]\nloss L = sum(x*x)*100 + sum(w*w)\n"
    )
    #expect(report.allSatisfy { $0.passed && $0.notable.isEmpty }, "\(report)")
  }

  /// ε · max(1, |θ|) = 10⁻⁶ would step below 0: the step relative to θ stays in the domain.
  @Test func aStepLargerThanThetaIsNotTaken() throws {
    let report = try check("param x = 1e-10\nloss L = log(x)\n")
    #expect(report[0].passed && report[0].notable.isEmpty, "\(report)")
    #expect(report[0].maxAbsoluteError.isFinite)
  }

  @Test(arguments: [
    "param x = 0\nloss L = abs(x) + relu(x)\n",
    "param w = 0\ninput s[4] = [1, -2, 3, -0.5]\nloss L = sum(relu(s*w))\n",
  ])
  func kinksThatMeetAreKinks(text: String) throws {
    let report = try check(text)
    #expect(report[0].passed && report[0].kinks == 1, "\(report)")
  }

  /// equal(x, 0) falls to 0 on both sides of 0: its central difference is 0, as its derivative.
  @Test func jumpsAreJumps() throws {
    let report = try check(
      "param x[4] = [0, 0, 0, 0]\nloss L = sign(x[0]) + step(x[1]) + where(x[2], 1, 0) + equal(x[3], 0)\n"
    )
    #expect(report[0].passed && report[0].jumps == 3, "\(report)")
  }

  @Test func anOverflowingDifferenceIsUnreliable() throws {
    let report = try check("param x = 800\nloss L = exp(x)\n")
    #expect(report[0].passed && report[0].unreliable == 1, "\(report)")
    let edge = try check("param x = 709.78\nloss L = exp(x)\n")
    #expect(edge[0].passed, "\(edge)")
  }

  /// The command exits 0 and names the verdicts; a wrong derivative still exits 1.
  @Test func theCommandReportsVerdictsAndFailsOnlyADisagreement() {
    let kinks = CLI.run(
      ["check", "-"], stdinText: "param x[2] = [0, 1]\nloss L = sum(abs(x) + relu(x))\n")
    #expect(kinks.code == .success)
    #expect(kinks.stdout.contains("ok (1 at kinks)"), "\(kinks.stdout)")
    #expect(kinks.stdout.contains("x[0]: symbolic 0, numeric"))
  }
}
