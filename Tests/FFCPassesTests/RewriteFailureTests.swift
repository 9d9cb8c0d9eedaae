import FFCIR
import FFCPasses
import FFCTestSupport
import Testing

/// A rewrite rule whose construction fails is not applied: the pass stops with an internal error
/// naming the rule, instead of replacing the node with the rule's first operand.
@Suite struct RewriteFailureTests {
  /// `x * 2 -> x @ x`, ill-shaped for a [2, 3] x: its failed value stands in for x.
  static let broken = RewriteRule("x*2 -> x@x", example: "") { r in r.x.matmul(r.x) }

  @Test func aRuleThatFailsToBuildIsAnInternalErrorNamingIt() throws {
    let graph = try Programs.lower("param x[2, 3]\nloss L = sum(x * 2)\n")
    var context = PassContext()
    #expect {
      _ = try RewriteEngine.run(graph, pass: "test", &context) { node in
        node.op === Op.mul ? [Self.broken] : []
      }
    } throws: { error in
      guard case .internal(let pass, let message) = error as? PassFailure else { return false }
      return pass == "test" && message.contains("rule 'x*2 -> x@x' built an ill-shaped node")
    }
    #expect(context.events.isEmpty && context.total == 0, "nothing fired")
  }
}
