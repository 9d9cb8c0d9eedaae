import FFCIR
import Testing

/// A rule written as math on values cannot pass an ill-shaped construction off as one of its
/// operands: the failure travels with the value to the code that takes the result.
@Suite struct BuilderFailureTests {
  /// A [2, 3] parameter `x`, in a fresh builder.
  static func parameter() -> (GraphBuilder, Value) {
    let builder = GraphBuilder()
    return (builder, builder.value(builder.leaf(Op.param, name: "x", shape: Shape([2, 3]))))
  }

  @Test func aFailedEmissionIsAFailedValueNotItsFirstOperand() throws {
    let (builder, x) = Self.parameter()
    let y = builder.value(builder.leaf(Op.param, name: "y", shape: Shape([4])))
    let sum = x + y  // [2, 3] and [4] do not broadcast
    #expect(
      sum.failure?.message.contains("cannot broadcast") == true,
      "\(String(describing: sum.failure))")
    // Built on further, it stays failed: the whole expression is.
    let scaled = (sum * 2).sum()
    #expect(scaled.failure == sum.failure)
    #expect(throws: ShapeError.self) { try scaled.nodeID }
    #expect(
      builder.nodes.allSatisfy { $0.op.isLeaf }, "only the leaves (and the constant 2) are built")
    // What succeeds still names its own node.
    #expect(try (x * 2).nodeID != x.nodeID)
  }

  /// An op whose derivative rule is ill-shaped (`g @ g` of a [2, 3] cotangent): differentiating
  /// through it is an internal error naming the op, never a gradient equal to the cotangent.
  @Test func anIllShapedDerivativeRuleIsAnErrorNamingTheOp() throws {
    let broken = Op(
      name: "broken", arity: 1, traits: .elementwise,
      inferShape: { shapes, _ in shapes[0] },
      evaluate: { inputs, _, _ in inputs[0] },
      vjp: { c in [c.g.matmul(c.g)] })
    let (builder, x) = Self.parameter()
    let y = try builder.emit(broken, [x.nodeID])
    let loss = try builder.value(y).sum().nodeID
    #expect {
      _ = try ReverseMode.cotangents(
        of: loss, named: "L", wrt: [x.nodeID], nodes: builder.nodes, builder)
    } throws: { error in
      guard case .illShapedRule(let op, let message) = error as? ReverseMode.Failure else {
        return false
      }
      return op == "broken" && message.contains("cannot multiply")
    }
  }
}
