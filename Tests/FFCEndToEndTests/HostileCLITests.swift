import FFCDriver
import FFCTestSupport
import Foundation
import Testing

/// Findings of the hostile-input pass over issue 14's constructs, run as a user meets them.
@Suite struct HostileCLITests {
  /// `--hessian W,W` printed a [16, 16] matrix with every block repeated, as if it were the
  /// Hessian over two parameters.
  @Test func aHessianNamingAParameterTwiceIsAnError() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let program = try scratch.file("w.ffn", "param W[2] = [1, 2]\nloss L = sum(W * W * W)\n")
    let result = CLI.run(["run", program, "--hessian", "W,W"])
    #expect(result.code == .programError, "\(result.stdout)")
    #expect(
      result.stderr.contains("'--hessian W,W' names 'W' twice; list each parameter once"),
      "\(result.stderr)")
    #expect(!result.stdout.contains("hessian"))
  }

  /// A loss reached only through `stop_gradient` was warned about with every cause but that one.
  @Test func theZeroGradientWarningNamesStopGradient() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let program = try scratch.file(
      "sg.ffn", "param W[2] = [1, 2]\nloss L = stop_gradient(sum(W * W))\n")
    let result = CLI.run(["compile", program, "--emit-grad"])
    #expect(result.code == .success, "\(result.stderr)")
    #expect(
      result.stderr.contains("the loss depends on 'W' only through stop_gradient, step, sign"),
      "\(result.stderr)")
  }
}
