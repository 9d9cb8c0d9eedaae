import FFCIR
import FFCTestSupport
import Testing

/// No input may crash ffc. Seeded mutations of every sample (characters deleted, duplicated,
/// replaced by tokens of the language) go through the whole pipeline with --emit-grad; each must
/// end in a graph or in diagnostics, never a trap.
@Suite struct RobustnessTests {
  static let fragments = [
    "(", ")", "[", "]", ",", "=", "@", "*", "**", "-", ".T", "[N, 3]", "0", "1e9", "-1",
    "2147483648", "relu(", "sum(x, axis=5)", "\n", "loss", "output", "param", "input", "label",
    "dense(",
    "[[1, 2], [3]]", "x[9]", "#", ";", "σ", "\u{0}", "é", "1e999", "softmax_cross_entropy(", "N",
  ]

  @Test(arguments: Repository.sampleFiles())
  func mutatedSamplesNeverCrash(sample: String) throws {
    let original = Array(Repository.read("samples/\(sample)"))
    var rng = SplitMix64(seed: SplitMix64.stableHash(sample))
    for _ in 0..<150 {
      var text = original
      for _ in 0..<(1 + Int(rng.next() % 4)) where !text.isEmpty {
        let at = Int(rng.next() % UInt64(text.count))
        switch rng.next() % 3 {
        case 0: text.remove(at: at)
        case 1:
          text.insert(
            contentsOf: Array(Self.fragments[Int(rng.next() % UInt64(Self.fragments.count))]),
            at: at)
        default: text[at] = text[Int(rng.next() % UInt64(text.count))]
        }
      }
      let result = CLI.run(["compile", "-", "--emit-grad"], stdinText: String(text))
      #expect(
        result.code != .internalError, "\(sample) mutated:\n\(String(text))\n\(result.stderr)")
    }
  }
}
