import FFCTestSupport
import Testing

/// `ffc bench`, run in-process: its report, its usage errors and a program it cannot time.
@Suite struct BenchCLITests {
  @Test func timesTheTrainingStepOfAWorkload() {
    let result = CLI.run([
      "bench", "samples/bench/w1_mnist_mlp.ffn", "--batch", "4", "--steps", "3", "--warmup", "1",
    ])
    #expect(result.code == .success, "\(result.stderr)")
    for line in [
      "bench samples/bench/w1_mnist_mlp.ffn: f32, N = 4, 3 steps after 1 warm-up", "compile",
      "plan", "median", "GFLOP/s", "threads", "peak memory",
    ] {
      #expect(result.stdout.contains(line), "missing '\(line)' in \(result.stdout)")
    }
    // 2·m·k·n for the 3 forward products, the 3 weight gradients and the 2 input gradients the
    // graph needs (not the one of X): 2·(2·939,008 + 136,192).
    #expect(result.stdout.contains("matmul    4.0 MFLOP per step"), "\(result.stdout)")
  }

  @Test func runsInDoublePrecisionAndWithoutSymbols() {
    let result = CLI.run([
      "bench", "samples/bench/w2_tiny.ffn", "--precision", "f64", "--steps", "5", "--warmup", "0",
      "--lr", "0.1",
    ])
    #expect(result.code == .success, "\(result.stderr)")
    #expect(
      result.stdout.hasPrefix(
        "bench samples/bench/w2_tiny.ffn: f64, no symbolic sizes, 5 steps after 0 warm-up"))
    #expect(result.stdout.contains("lr 0.1"))
  }

  /// A loss that diverges reads `nan`, not printf's `-nan` (sqrt of -inf has its sign bit set).
  @Test func aDivergedLossReadsNaN() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let program = try scratch.file(
      "diverge.ffn", "param s = 1\nloss L = sqrt(s - 1)  # ffc: allow\n")
    let result = CLI.run(["bench", program, "--steps", "3", "--warmup", "0"])
    #expect(result.code == .success, "\(result.stderr)")
    #expect(
      result.stdout.contains("  loss      0 at step 1, nan after 3 steps\n"), "\(result.stdout)")
  }

  @Test func usageErrorsExitTwo() {
    for arguments in [
      ["bench"], ["bench", "a.ffn", "b.ffn"],
      ["bench", "samples/bench/w2_tiny.ffn", "--batch", "0"],
      ["bench", "samples/bench/w2_tiny.ffn", "--steps", "x"],
      ["bench", "samples/bench/w2_tiny.ffn", "--warmup", "-1"],
      ["bench", "samples/bench/w2_tiny.ffn", "--precision", "f16"],
      ["bench", "samples/bench/w2_tiny.ffn", "--lr", "0"],
      ["bench", "samples/bench/w2_tiny.ffn", "--lr"],
      ["bench", "samples/bench/w2_tiny.ffn", "--stepz", "3"],
    ] {
      let result = CLI.run(arguments)
      #expect(result.code == .usage, "\(arguments): \(result.stderr)")
      #expect(result.stderr.hasPrefix("ffc: error: "), "\(arguments): \(result.stderr)")
      #expect(result.stdout.isEmpty)
    }
    #expect(CLI.run(["bench", "--help"]).stdout.contains("--warmup"))
    #expect(CLI.run(["help", "bench"]).code == .success)
  }

  @Test func programsItCannotTimeExitOne() {
    let noLoss = CLI.run(
      ["bench", "-"], stdinText: "input x[2]\nparam W[2, 2] = he\noutput y = W @ x\n")
    #expect(noLoss.code == .programError)
    #expect(noLoss.stderr.contains("declares no loss"), "\(noLoss.stderr)")
    let noParameters = CLI.run(
      ["bench", "-"], stdinText: "input x[2]\ntarget t[2]\nloss L = mse(x, t)\n")
    #expect(noParameters.code == .programError)
    #expect(noParameters.stderr.contains("has no loss or no parameters"), "\(noParameters.stderr)")
    #expect(CLI.run(["bench", "no/such.ffn"]).code == .programError)
  }
}
