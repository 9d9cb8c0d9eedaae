import FFCFrontend
import FFCIR
import FFCTestSupport
import Foundation
import Testing

/// Findings of the hostile-input pass over functions, `repeat`, `hessian` and `stop_gradient`
/// (issue 12's rule for issue 14's constructs): each was a hang, a silently wrong answer or an
/// unclear message, and is now an error at its column.
@Suite struct HostileInputTests {
  func errors(_ text: String) -> [(id: String, line: Int, column: Int, message: String)] {
    Programs.diagnostics(text).filter { $0.severity == .error }.map {
      ($0.id, $0.range?.start.line ?? 0, $0.range?.start.column ?? 0, $0.message)
    }
  }

  /// Calls multiply: twenty levels of a function calling the one before it twice made 2^20
  /// bodies, and three nested `repeat(1000, ...)` 10^9; both ran until killed.
  @Test func callsThatMultiplyStopAtTheBound() {
    var doubling = "input x[2]\ndef f0(v) {\n  return v + 1\n}\n"
    for i in 1...20 { doubling += "def f\(i)(v) {\n  return f\(i - 1)(f\(i - 1)(v))\n}\n" }
    let doubled = errors(doubling + "h = f20(x)\noutput h\n")
    #expect(doubled.count == 1 && doubled.first?.id == "function.calls", "\(doubled)")
    #expect(
      doubled.first?.message.hasSuffix(
        "here makes the program's function calls more than 100000 in all (each call made by 'repeat' or inside another function counts)"
      ) == true)
    let nested = errors(
      """
      input x[2]
      def f(v) {
        return v + 1
      }
      def g(v) {
        return repeat(1000, f, v)
      }
      def k(v) {
        return repeat(1000, g, v)
      }
      h = repeat(1000, k, x)
      output h

      """)
    #expect(nested.count == 1 && nested.first?.id == "function.calls", "\(nested)")
    #expect(nested.first?.line == 6)
    // A repeat whose count cannot fit is reported at once, at the call.
    let spent = errors(
      "input x[2]\ndef f(v) {\n  return v + 1\n}\na = repeat(60000, f, x)\nb = repeat(60000, f, a)\noutput b\n"
    )
    #expect(spent.map(\.id) == ["function.calls"] && spent.first?.line == 6, "\(spent)")
  }

  @Test func theLongestRepeatStillFits() throws {
    let graph = try Programs.lower(
      "input x[2]\ndef f(v) {\n  return v + 1\n}\nh = repeat(100000, f, x)\noutput h\n")
    #expect(graph.nodes.contains { $0.name == "h.99999" })
  }

  /// `repeat(3, relu, x)` said "unknown function 'relu'; did you mean 'prelu'?".
  @Test func aRepeatOfABuiltInSaysWhatRepeatTakes() {
    let found = errors("input x[2]\nh = repeat(3, relu, x)\noutput h\n")
    #expect(found.map(\.id) == ["function.repeat-builtin"] && found.first?.column == 15)
    #expect(found.first?.message.hasPrefix("'repeat' calls a function defined with 'def'") == true)
  }

  /// `repeat(2 + 1, f, x)` was told its count "must be a whole number from 1 to 100000".
  @Test func aRepeatCountThatIsAnExpressionSaysSo() {
    let found = errors("input x[2]\ndef f(v) {\n  return v\n}\nh = repeat(2 + 1, f, x)\noutput h\n")
    #expect(
      found.map(\.message) == [
        "the count of 'repeat' is a number written out (40) or a function's parameter given one, not an expression"
      ])
    #expect(found.first?.line == 5 && found.first?.column == 12)
    let zero = errors("input x[2]\ndef f(v) {\n  return v\n}\nh = repeat(0, f, x)\noutput h\n")
    #expect(
      zero.map(\.message) == ["the count of 'repeat' must be a whole number from 1 to 100000"])
  }

  /// A derivative clause of 20000 terms took over 20 s to print with `--emit-grad`: each of its
  /// gradient nodes cut the clause's whole line anew for its `via line` comment. The excerpt is
  /// now made once a line; printing 4 times the terms takes about 4 times as long, not 16.
  @Test func printingALongDerivativeClauseIsLinear() throws {
    func program(_ terms: Int) -> String {
      "param x[2] = [1, 2]\ndef f(v) {\n  return sign(v)\n  derivative(g) = g"
        + String(repeating: " + g", count: terms) + "\n}\nloss L = sum(f(x) * x)\n"
    }
    func seconds(_ terms: Int) throws -> (Double, String) {
      let text = program(terms)
      let graph = try Programs.compile(text, optimize: false)
      let printer = TextPrinter(source: SourceFile(path: "t.ffn", text: text))
      // This thread's CPU time: the machine's other load does not count.
      func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
      }
      let start = now()
      let printed = printer.print(graph)
      return (now() - start, printed)
    }
    let (small, printed) = try seconds(1000)
    #expect(
      printed.contains(
        "# via line 4 (call at line 6): derivative(g) = g + g + g + g + g + g + g + g..."))
    let (large, _) = try seconds(4000)
    #expect(large < 10 * max(small, 1e-3), "1000 terms: \(small) s, 4000 terms: \(large) s")
  }

  /// `derivative(relu) = relu` named the incoming gradient after a built-in, which a local of
  /// the body may not do.
  @Test func theGradientsNameMayNotHideAFunction() {
    let builtin = errors("def f(v) {\n  return sign(v)\n  derivative(relu) = relu\n}\n")
    #expect(builtin.map(\.id) == ["function.shadows"] && builtin.first?.column == 14)
    let itself = errors("def f(v) {\n  return sign(v)\n  derivative(g, f) = g\n}\n")
    #expect(itself.map(\.id) == ["function.shadows"] && itself.first?.column == 17)
  }

  /// `return v derivative(g) = g` on one line was reported twice, first (and wrongly) as a body
  /// without a return.
  @Test func aReturnLineThatDoesNotParseIsReportedOnce() {
    let found = errors(
      "def f(v) {\n  return v derivative(g) = g\n}\ninput x[2]\nh = f(x)\noutput h\n")
    #expect(found.count == 1 && found.first?.line == 2 && found.first?.column == 12, "\(found)")
    #expect(found.first?.message == "expected end of line after a statement, found 'derivative'")
  }

  /// `hessian(L, W, W)` gave a [16, 16] matrix that `ffc check` then failed.
  @Test func aHessianListsEachValueOnce() {
    let found = errors(
      "param W[2] = [1, 2]\nloss L = sum(W * W * W)\noutput H = hessian(L, W, W)\n")
    #expect(found.map(\.message) == ["'hessian' lists 'W' twice; list each value once"])
    #expect(found.first?.line == 3 && found.first?.column == 26)
  }
}
