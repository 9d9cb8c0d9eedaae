import FFCDriver
import FFCIR
import FFCPasses
import FFCTestSupport
import Testing

/// Every rewrite rule carries an example program in which it fires (`RewriteRule.example`). Each
/// example is compiled with its gradient: the rule must fire, and `--check-rewrites` must find
/// every rewrite of the compile value-preserving. A rule added without a working example fails
/// here, so no rule goes untested.
@Suite struct RewriteRuleExampleTests {
  /// Every rule, once (add and sub share some), in registry order.
  static let rules: [RewriteRule] = {
    var seen: [String] = []
    var rules: [RewriteRule] = []
    for rule in OpRegistry.all.flatMap(\.rewrites) + AlgebraicSimplification.elementwiseRules
    where !seen.contains(rule.name) {
      seen.append(rule.name)
      rules.append(rule)
    }
    return rules
  }()

  @Test(arguments: rules.map(\.name))
  func ruleFiresOnItsExampleAndKeepsValues(name: String) throws {
    let rule = try #require(Self.rules.first { $0.name == name })
    var pipeline = Pipeline.standard(differentiate: true, optimize: true)
    pipeline.checkEach = RewriteChecker.check
    let result = try pipeline.run(Programs.lower(rule.example))
    #expect(
      result.events.contains { $0.rule == name },
      "'\(name)' did not fire on its example; fired: \(Set(result.events.map(\.rule)).sorted())")
    let errors = result.diagnostics.filter { $0.severity == .error }
    #expect(errors.isEmpty, "\(errors.map(\.message))")
  }

  @Test func everyKindOfRewriteIsChecked() throws {
    // Folding and merging record their rewrites too, so the checker sees them.
    let program =
      "param x[2] = [1, 2]\nparam y[2] = [3, 4]\nloss L = sum(x * (2 + 3)) + sum(x * y) + sum(y * x)\n"
    var pipeline = Pipeline.standard(differentiate: true, optimize: true)
    pipeline.checkEach = RewriteChecker.check
    let result = try pipeline.run(Programs.lower(program))
    #expect(result.events.contains { $0.pass == "constant-folding" })
    #expect(result.events.contains { $0.pass == "cse" })
    #expect(result.diagnostics.allSatisfy { $0.severity != .error })
  }
}
