import FFCDriver
import FFCIR
import FFCTestSupport
import Foundation
import Testing

/// The smaller findings of issue 12 (item 11), each run as a user would meet it.
@Suite struct SmallFindingsTests {
  /// The warnings of compiling `text` with its gradient.
  func warnings(_ text: String) -> [Diagnostic] {
    let source = SourceFile(path: "net.ffn", text: text)
    guard
      case .success(let (_, warnings)) = Compilation.compile(
        source, options: .init(differentiate: true))
    else { return [] }
    return warnings
  }

  @Test func aRepeatedHessianIsAUsageError() {
    let result = CLI.run(["run", "samples/xor.ffn", "--hessian", "W1", "--hessian", "b1"])
    #expect(result.code == .usage, "\(result.stderr)")
    #expect(
      result.stderr.hasPrefix(
        "ffc: error: '--hessian' is given once, with its parameters separated by commas (--hessian W1,b1), and was given 2 times"
      ))
  }

  /// `--hessian W1,b1`: one Hessian over both, θ = (W1, b1) flattened in that order, the same
  /// matrix as `hessian(L, W1, b1)` in the program.
  @Test func aHessianOverSeveralParameters() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let program = try scratch.file(
      "two.ffn",
      "param W1[2] = [1, 2]\nparam b1 = 0.5\nloss L = sum(W1 * W1 * b1)\noutput H = hessian(L, W1, b1)\n"
    )
    let result = CLI.run(["run", program, "--hessian", "W1,b1", "--format", "csv"])
    #expect(result.code == .success, "\(result.stderr)")
    // d2L/dW1^2 = 2 b1 I, d2L/dW1 db1 = 2 W1.
    let expected = [1, 0, 2, 0, 1, 4, 2, 4, 0].map { "\($0)" }
    let lines = result.stdout.split(separator: "\n").filter { $0.hasPrefix("hessian,") }
    #expect(lines.count == 9, "\(result.stdout)")
    #expect(lines.map { String($0.split(separator: ",").last ?? "") } == expected, "\(lines)")
    #expect(result.stdout.contains("d2L/d(W1,b1)^2"), "\(result.stdout)")
    let missing = CLI.run(["run", program, "--hessian", "W1,c"])
    #expect(missing.code == .programError)
    #expect(missing.stderr.contains("the program has no parameter 'c'"), "\(missing.stderr)")
  }

  @Test func theHessianLabelReadsAsASecondDerivative() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let program = try scratch.file("w1.ffn", "param W1[2] = [1, 2]\nloss L = sum(W1 * W1 * W1)\n")
    let result = CLI.run(["run", program, "--hessian", "W1"])
    #expect(result.code == .success, "\(result.stderr)")
    #expect(result.stdout.contains("d2L/dW1^2"), "\(result.stdout)")
    #expect(!result.stdout.contains("dW12"))
  }

  /// A classification loss with a regulariser added still reports accuracy.
  @Test func aRegularisedClassificationLossReportsAccuracy() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let text = Repository.read("samples/iris.ffn").replacingOccurrences(
      of: "loss L = softmax_cross_entropy(o, y)",
      with: "loss L = softmax_cross_entropy(o, y) + 0.0001 * sum(h.W ** 2)")
    #expect(text.contains("0.0001"))
    let program = try scratch.file("iris.ffn", text)
    let result = CLI.run([
      "train", program, "--data", "samples/data/iris.csv", "--epochs", "2", "--quiet",
    ])
    #expect(result.code == .success, "\(result.stderr)")
    #expect(result.stdout.contains(", accuracy "), "\(result.stdout)")
  }

  @Test func aSelectionGuardingItsSquareRootIsNotLinted() {
    let guarded = warnings(
      "param x[3] = [1, 2, 3]\nloss L = sum(where(x, sqrt(x), 0))\n")
    #expect(!guarded.contains { $0.id.hasPrefix("lint.") }, "\(guarded)")
    // Unguarded, or guarded by another value, it is.
    for loss in [
      "sum(sqrt(x))", "sum(where(x - 1, sqrt(x), 0))", "sum(where(x, sqrt(x), 0) + sqrt(x))",
    ] {
      let warned = warnings("param x[3] = [1, 2, 3]\nloss L = \(loss)\n")
      #expect(warned.contains { $0.id.hasPrefix("lint.") }, "\(loss)")
    }
  }

  /// A rename (`y = h`) has no node of its own, but the trace shows it in both passes.
  @Test func theTraceShowsRenames() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let program = try scratch.file(
      "rename.ffn", "input x = 2\nparam w = 3\nh = w * x\ny = h\nloss L = y * y\n")
    let result = CLI.run(["run", program, "--trace"])
    #expect(result.code == .success, "\(result.stderr)")
    let lines = result.stdout.split(separator: "\n").map {
      $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
    let forward =
      ["x [] 2 # line 1: input x = 2", "w [] 3 # line 2: param w = 3"]
      + [
        "h [] 6 # line 3: h = w * x", "y [] 6 # line 4: y = h", "L [] 36 # line 5: loss L = y * y",
      ]
    #expect(Array(lines[1...5]) == forward, "\(result.stdout)")
    let backward = ["dL/dy [] 12 # line 4: y = h", "dL/dh [] 12 # line 3: h = w * x"]
    #expect(Array(lines[7...8]) == backward, "\(result.stdout)")
  }

  @Test func peakMemoryWithReuseIsAtMostWithout() throws {
    for sample in ["samples/xor.ffn", "samples/iris.ffn", "samples/mlp5.ffn"] {
      let result = CLI.run(["compile", sample, "--stats=counts", "--emit-grad", "-o", "/dev/null"])
      #expect(result.code == .success, "\(result.stderr)")
      let regex = /peak memory (\d+) (B|KiB|MiB) \((\d+) (B|KiB|MiB) without buffer reuse\)/
      let matches = result.stderr.matches(of: regex)
      #expect(!matches.isEmpty, "\(result.stderr)")
      for match in matches where match.2 == match.4 {
        #expect(Int(match.1)! <= Int(match.3)!, "\(sample): \(match.0)")
      }
    }
  }

  @Test func unreadableAndUnwritablePathsSayWhy() {
    let null = CLI.run(["run", "samples/xor.ffn", "--data", "/dev/null"])
    #expect(null.code == .programError)
    #expect(null.stderr.contains("'/dev/null' has no data rows"), "\(null.stderr)")
    let proc = CLI.run(["compile", "samples/xor.ffn", "-o", "/proc/version"])
    #expect(proc.code == .programError)
    #expect(
      proc.stderr.contains(
        "cannot write '/proc/version': its directory '/proc' does not take new files"),
      "\(proc.stderr)")
  }

  @Test func anInvisibleCharacterIsNamed() {
    let diagnostics = Programs.diagnostics("input x[3]\ny = x\u{200B} * 2\n")
    #expect(
      diagnostics.first?.message == "unexpected character U+200B zero width space (invisible)")
    let arrow = Programs.diagnostics("input x[3]\ny = x \u{2192} 2\n")
    #expect(arrow.first?.message == "unexpected character '\u{2192}' (U+2192 rightwards arrow)")
  }

  @Test func aSemicolonOrTabSeparatedFileGetsAHint() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    for (separator, name) in [(";", "semicolons"), ("\t", "tabs")] {
      let data = try scratch.file(
        "d.csv", "X1\(separator)X2\(separator)y\n0\(separator)1\(separator)1\n")
      let result = CLI.run(["run", "samples/xor.ffn", "--data", data])
      #expect(result.code == .programError)
      #expect(
        result.stderr.contains("the file seems to separate its fields with \(name)"),
        "\(result.stderr)")
    }
  }

  @Test func checkRewritesSaysHowManyItChecked() {
    let result = CLI.run([
      "compile", "samples/iris.ffn", "--emit-grad", "--check-rewrites", "-o", "/dev/null",
    ])
    #expect(result.code == .success, "\(result.stderr)")
    #expect(
      result.stderr.contains(/checked \d+ rewrites?: no value changed/), "\(result.stderr)")
  }

  @Test func oneRowIsSingular() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let program = try scratch.file(
      "row.ffn", "input x\ntarget t\nparam w = 2\nloss L = (w * x - t) ** 2\n")
    let data = try scratch.file("row.csv", "x,t\n1,3\n")
    let result = CLI.run(["run", program, "--data", data])
    #expect(result.code == .success, "\(result.stderr)")
    #expect(result.stdout.hasPrefix("loss (mean over 1 row)\n"), "\(result.stdout)")
  }

  @Test func smallFiguresKeepTheirDigits() {
    let bench = CLI.run(["bench", "samples/xor.ffn", "--steps", "2", "--warmup", "0"])
    #expect(bench.code == .success, "\(bench.stderr)")
    #expect(!bench.stdout.contains("0.0 MFLOP"), "\(bench.stdout)")
    #expect(bench.stdout.contains(/matmul    [\d.]+ (kFLOP|FLOP) per step/), "\(bench.stdout)")
  }
}
