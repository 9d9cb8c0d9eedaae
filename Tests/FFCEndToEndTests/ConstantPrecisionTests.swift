import FFCTestSupport
import Foundation
import Testing

/// Issue 12 item 10: a constant that underflows in the chosen precision is warned about at its
/// column, and constant folding's rule (f64, rounded once) is the documented one.
@Suite struct ConstantPrecisionTests {
  @Test func aConstantThatBecomesZeroInF32IsWarnedAbout() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let program = try scratch.file("tiny.ffn", "param w = 1\nloss L = w * 1e-200 + w\n")
    let f32 = CLI.run(["run", program])
    #expect(f32.code == .success, "\(f32.stderr)")
    #expect(
      f32.stderr.contains(
        "tiny.ffn:2:14: warning: the constant 1e-200 becomes 0 in f32; --precision f64 holds it"),
      "\(f32.stderr)")
    let subnormal = try scratch.file("small.ffn", "param w = 1\nloss L = w * 1e-40 + w\n")
    #expect(CLI.run(["run", subnormal]).stderr.contains("becomes a subnormal number"))
    let f64 = CLI.run(["run", program, "--precision", "f64"])
    #expect(f64.code == .success)
    #expect(!f64.stderr.contains("warning"), "\(f64.stderr)")
  }

  @Test func aDataValueThatBecomesZeroInF32IsWarnedAbout() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let program = try scratch.file("p.ffn", "input x\nparam w = 1\nloss L = w * x\n")
    let data = try scratch.file("d.csv", "x\n1\n1e-50\n2e-60\n")
    let f32 = CLI.run(["run", program, "--data", data])
    #expect(f32.code == .success, "\(f32.stderr)")
    #expect(
      f32.stderr.contains(
        "d.csv:3:1: warning: 1e-50 becomes 0 in f32 (and 1 other value of the file); --precision f64 holds it"
      ), "\(f32.stderr)")
    #expect(
      !CLI.run(["run", program, "--data", data, "--precision", "f64"]).stderr.contains("warning"))
  }

  /// Folding computes in f64 and rounds once; -O0 computes each op in f32, where 1 − 0.9999999999
  /// is 0. The f64 fold is kept as the more exact (docs/language.md, "Precision of constants").
  @Test func foldingComputesInF64() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let program = try scratch.file(
      "fold.ffn", "input s = 1.5\nconst b = 1\nconst c = 0.9999999999\noutput r = s / (b - c)\n")
    let folded = CLI.run(["run", program])
    #expect(folded.code == .success, "\(folded.stderr)")
    #expect(folded.stdout.contains("r  []  1.4999998e+10"), "\(folded.stdout)")
    let unfolded = CLI.run(["run", program, "-O0"])
    #expect(unfolded.stdout.contains("r  []  inf"), "\(unfolded.stdout)")
    let f64 = CLI.run(["run", program, "-O0", "--precision", "f64"])
    #expect(f64.stdout.contains("r  []  14999998758.89"), "\(f64.stdout)")
  }
}
