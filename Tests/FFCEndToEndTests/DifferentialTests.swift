import FFCTestSupport
import Foundation
import Testing

/// Seeded random programs (`RandomProgram`) evaluated at -O1, -O0 and under --trace must agree to
/// rounding, NaN with NaN, in f64 and in f32. Bounded to a few seconds here; `samples/fuzz/run.sh`
/// runs the same for longer (FFC_FUZZ_SECONDS, FFC_FUZZ_FIRST_SEED).
@Suite struct DifferentialTests {
  static let budget = Fuzzing.budget(defaultPrograms: 40)

  @Test func optimisationLevelsAndTraceAgree() {
    let failures = Fuzzing.repeatUntil(Self.budget) { seed in
      let text = RandomProgram(seed: seed).text
      let problems =
        Differential.levelsDisagree(text, precision: "f64")
        + Differential.levelsDisagree(text, precision: "f32")
      return problems.isEmpty ? nil : "seed \(seed):\n\(text)\(problems.joined(separator: "\n"))"
    }
    #expect(failures.isEmpty, "\(failures.prefix(3).joined(separator: "\n\n"))")
  }

  /// The issue's program: a product with a selection whose branch is 0 and a square root of a
  /// negative is NaN at every level (-O1 rewrote it to 0, and r was 1 instead of 0).
  @Test func aProductWithASelectionIsTheSameAtEveryLevel() {
    let text = """
      param w = -0.37
      h = where(w, w, 0)
      b = h * sqrt(w)
      s = exp(w) + b
      output r = where(s, 1, 0)
      loss L = r + w * w

      """
    for precision in ["f64", "f32"] {
      #expect(Differential.levelsDisagree(text, precision: precision) == [])
    }
    let values = Differential.run(text, ["--precision", "f64"])
    #expect(values.entries.first?.key == "output,r," && values.entries.first?.value == 0)
  }

  /// The gradient of the NaN-safe idiom is finite at -O0 as at -O1, to the second order.
  @Test func theNaNSafeIdiomsGradientIsTheSameAtEveryLevel() {
    let text = """
      param x[3] = [-1, 1, 4]
      h = where(x, sqrt(x), 0)
      L = sum(h * exp(x) / (x + 2.5))
      loss R = sum(grad(L, x)) + L

      """
    let optimized = Differential.run(text, ["--precision", "f64"])
    #expect(optimized.entries.allSatisfy { $0.value.isFinite })
    #expect(Differential.levelsDisagree(text, precision: "f64") == [])
  }
}
