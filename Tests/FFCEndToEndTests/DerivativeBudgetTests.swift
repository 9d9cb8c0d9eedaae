import FFCFrontend
import FFCIR
import FFCRuntime
import FFCTestSupport
import Foundation
import Testing

/// `jacobian` and `hessian` build one derivative pass per element: as many as the memory budget
/// (`DerivativeBudget`, from `MemoryBudget`) lets them, with no fixed cap, and one that would not
/// fit is refused at its call with what it would take.
@Suite struct DerivativeBudgetTests {
  @Test func aHessianOfMoreThan256ElementsIsBuilt() throws {
    // L = Σ w³: the Hessian is diag(6w), 3 on the diagonal for w = 0.5.
    let graph = try Programs.compile(
      "param w[300] = 0.5\nL = sum(w * w * w)\nH = hessian(L, w)\noutput H\n",
      differentiate: false)
    let h = try Programs.evaluate(graph).outputs[0]
    #expect(h.shape == [300, 300])
    #expect(h.scalars.reduce(0, +) == 900)
    #expect(h.scalars[0] == 3 && h.scalars[301] == 3 && h.scalars[1] == 0)
  }

  @Test func aJacobianWithBothSidesOverTheOldCapIsBuilt() throws {
    let graph = try Programs.compile(
      "param W[20, 20] = 0.5\nJ = jacobian(tanh(W), W)\noutput J\n", differentiate: false)
    let j = try Programs.evaluate(graph).outputs[0]
    #expect(j.shape == [20, 20, 20, 20])
    let slope = 1 - tanh(0.5) * tanh(0.5)
    // Element [i, k, i, k] is the slope, every other one 0.
    #expect(abs(j.scalars[0] - slope) < 1e-15 && j.scalars[1] == 0)
    #expect(abs(j.scalars.reduce(0, +) - 400 * slope) < 1e-9)
  }

  /// A budget of 1 MiB: the same 300-element Hessian is refused, deterministically.
  @Test func overTheBudgetIsAnErrorAtTheCall() throws {
    let budget = DerivativeBudget(
      bytes: 1 << 20, phrase: "the test's 1 MiB", describe: { MemoryBudget.describe($0) })
    let text = "param w[300] = 0.5\nL = sum(w * w * w)\nH = hessian(L, w)\noutput H\n"
    let result = Frontend.lower(SourceFile(path: "t.ffn", text: text), budget: budget)
    let error = try #require(result.diagnostics.first { $0.severity == .error })
    #expect(error.id == "derivative.memory")
    #expect(error.range?.start.line == 3 && error.range?.start.column == 5)
    #expect(
      error.message.hasPrefix("the Hessian over 'w' (300 elements): building it takes about "),
      "\(error.message)")
    #expect(error.message.hasSuffix("more than the test's 1 MiB"), "\(error.message)")
    let jacobian = Frontend.lower(
      SourceFile(path: "t.ffn", text: "param W[30, 30] = 1\nJ = jacobian(tanh(W), W)\noutput J\n"),
      budget: budget)
    #expect(jacobian.diagnostics.map(\.id) == ["derivative.memory"])
  }

  /// Millions of elements are refused on any machine, before anything is built, for the language
  /// and for `run --hessian`, exit 1.
  @Test func aHugeOneIsAClearErrorNotAHang() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let program = try scratch.file(
      "big.ffn", "param W[100000, 1000] = 0\nloss L = sum(W * W)\n")
    let option = CLI.run(["run", program, "--hessian", "W"])
    #expect(option.code == .programError)
    #expect(
      option.stderr.contains(
        "'--hessian W': the Hessian over 'W' (100000000 elements): building it takes about"),
      "\(option.stderr)")
    let inProgram = try scratch.file(
      "bigj.ffn", "param W[100000, 1000] = 0\nJ = jacobian(W * W, W)\noutput J\n")
    let compiled = CLI.run(["compile", inProgram])
    #expect(compiled.code == .programError)
    #expect(
      compiled.stderr.contains(
        "the Jacobian of a value of 100000000 elements with respect to one of 100000000: building it takes about"
      ), "\(compiled.stderr)")
  }
}
