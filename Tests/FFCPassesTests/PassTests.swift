import FFCIR
import FFCPasses
import FFCTestSupport
import Testing

/// One rewrite at a time: it fires where it should, leaves alone what it should, keeps values.
@Suite struct PassTests {
  func simplified(_ program: String) throws -> Graph {
    try Programs.compile(program, differentiate: false)
  }

  func opNames(_ graph: Graph) -> [String] {
    graph.nodes.filter { !$0.op.isLeaf }.map(\.op.name)
  }

  @Test(arguments: [
    ("y = x * 1", "x*1 -> x"), ("y = 1 * x", "x*1 -> x"), ("y = x + 0", "x+0 -> x"),
    ("y = x - 0", "x-0 -> x"), ("y = x / 1", "x/1 -> x"), ("y = -(-x)", "-(-x) -> x"),
    ("y = x.T.T", "transpose(transpose(x)) -> x"),
  ])
  func identityDisappears(program: String, rule: String) throws {
    let graph = try simplified("input x[2, 3]\n\(program)\noutput y")
    #expect(opNames(graph).isEmpty, "\(rule): \(opNames(graph))")
    #expect(graph.outputs[0].node == graph.declarations[0].node)
  }

  @Test func multiplyingByTwoIsLeftAlone() throws {
    #expect(opNames(try simplified("input x[3]\ny = x * 2\noutput y")) == ["mul"])
  }

  /// 0 * x folds only where x cannot be inf or nan: for data it must stay.
  @Test func zeroTimesDataIsKept() throws {
    #expect(opNames(try simplified("input x[3]\ny = 0 * x\noutput y")).contains("mul"))
    #expect(!opNames(try simplified("input x[3]\ny = 0 * tanh(x)\noutput y")).contains("mul"))
  }

  /// Folding leaves an all-equal result as a broadcast scalar; what reads it still folds.
  @Test func whatReadsAFoldedSplatFolds() throws {
    let graph = try simplified("const a = [1, 1]\ninput x[2]\ny = exp(a * 2) * x\noutput y")
    #expect(opNames(graph) == ["mul"])
    let literal = try #require(graph.nodes.compactMap(\.constantValue).first { $0.isScalar })
    #expect(literal.scalars == [7.38905609893065])
  }

  @Test func constantsFold() throws {
    let graph = try simplified(
      "const a = [1, 2]\nconst b = 3\ny = exp(a * b - 3) + 0 * a\noutput y")
    #expect(opNames(graph).isEmpty)
    let value = try #require(graph[graph.outputs[0].node].constantValue)
    #expect(value.scalars.map { ($0 * 1e6).rounded() } == [1_000_000, 20_085_537])
  }

  /// Constants along a chain are combined only where their product is finite and nonzero:
  /// (0·1e308)·1e308 is 0 while 0·inf is NaN.
  @Test func constantsThatWouldOverflowStayApart() throws {
    let graph = try simplified("input x[2]\ny = (x * 1e308) * 1e308\noutput y")
    #expect(opNames(graph) == ["mul", "mul"])
    #expect(try opNames(simplified("input x[2]\ny = (x * 3) * 2\noutput y")) == ["mul"])
  }

  /// Plans also run in f32, where 1e20·1e20 is inf and 1e-30·1e-30 is 0, though each factor and
  /// the written chain ((1e-30·1e20)·1e20 = 1e10) are finite: such constants stay apart too, and
  /// so does a sum past f32's largest value.
  @Test func constantsThatWouldOverflowInFloatStayApart() throws {
    #expect(
      try opNames(simplified("input x[2]\ny = (x * 1e20) * 1e20\noutput y")) == ["mul", "mul"])
    #expect(
      try opNames(simplified("input x[2]\ny = (x * 1e-30) * 1e-30\noutput y")) == ["mul", "mul"])
    #expect(
      try opNames(simplified("input x[2]\ny = (x - 3e38) - 3e38\noutput y")) == ["sub", "sub"])
    #expect(try opNames(simplified("input x[2]\ny = (x * 0) * 1e-30\noutput y")) == ["mul"])
  }

  /// A rule that recognises an all-equal constant (seen through its broadcast) must keep the
  /// node's shape when the constant is the larger operand: s ** [2, 2, 2] is [3], not square(s).
  @Test(arguments: [
    "s ** [2, 2, 2]", "exp(s) - [1, 1, 1]", "s ** [1, 1, 1]", "s ** [0, 0, 0]", "s * [1, 1, 1]",
    "s * [-1, -1, -1]", "s + [0, 0, 0]", "[0, 0, 0] + s", "[0, 0, 0] - s", "s - [0, 0, 0]",
    "s / [1, 1, 1]",
    "log([1, 1, 1] + s)", "log([1, 1, 1] + exp(s))", "log([1, 1, 1] - sigmoid(s))",
  ])
  func aLargerConstantOperandKeepsTheShape(expression: String) throws {
    let program = "param s = 0.5\ny = \(expression)\noutput y\nloss L = sum(y * [1, 2, 3])\n"
    let raw = try Programs.evaluate(try Programs.compile(program, optimize: false))
    let optimized = try Programs.evaluate(try Programs.compile(program))
    #expect(optimized.outputs[0].shape == [3])
    #expect(Numerics.maxRelativeError(optimized.outputs[0], raw.outputs[0]) < 1e-12)
    #expect(Numerics.maxRelativeError(optimized.gradients[0], raw.gradients[0]) < 1e-12)
  }

  @Test func commonSubexpressionsMerge() throws {
    let graph = try simplified(
      "input x[3]\na = tanh(x) * exp(x)\nb = exp(x) * tanh(x)\ny = a + b\noutput y")
    // a and b meet; a + a then becomes a * 2.
    #expect(opNames(graph).filter { $0 == "exp" }.count == 1)
    #expect(opNames(graph).sorted() == ["exp", "mul", "mul", "tanh"])
  }

  @Test func deadNodesAreRemoved() throws {
    let graph = try simplified("input x[3]\nunused = exp(x) * 7\ny = tanh(x)\noutput y")
    #expect(opNames(graph) == ["tanh"])
  }

  @Test func transposesFoldIntoTheMatrixProduct() throws {
    let graph = try simplified("input A[3, 2]\ninput B[4, 3]\ny = A.T @ B.T\noutput y")
    #expect(opNames(graph) == ["matmul"])
    let product = try #require(graph.nodes.first { $0.op === Op.matmul })
    #expect(product.attributes.bool("transpose_a") && product.attributes.bool("transpose_b"))
  }

  /// (A·B)ᵀ is Bᵀ·Aᵀ by the product's flags: the weight gradient of X @ W.T (an imported Gemm) is
  /// one product of W's shape, with no transpose, and keeps its values.
  @Test func theTransposeOfAProductIsTheSwappedProduct() throws {
    let forward = try simplified("input A[2, 3]\ninput B[3, 4]\ny = (A @ B).T\noutput y")
    #expect(opNames(forward) == ["matmul"])
    let swapped = try #require(forward.nodes.first { $0.op === Op.matmul })
    #expect(swapped.attributes.bool("transpose_a") && swapped.attributes.bool("transpose_b"))
    #expect(swapped.inputs.map { forward[$0].name } == ["B", "A"])

    let program = """
      input X[2, 4] = [[1, 2, 3, 4], [-1, 0.5, 2, -3]]
      input t[2, 3] = [[1, 0, 2], [0, 1, -1]]
      param W[3, 4] = [[0.1, 0.2, 0.3, 0.4], [-0.5, 0.6, 0.7, 0.8], [0.9, -1, 1.1, 1.2]]
      y = X @ W.T
      loss L = sum((y - t) * (y - t))

      """
    let graph = try Programs.compile(program)
    #expect(!opNames(graph).contains("transpose"))
    let gradient = graph[graph.gradients[0].node]
    #expect(gradient.op === Op.matmul && gradient.shape == Shape([3, 4]))
    let raw = try Programs.evaluate(try Programs.compile(program, optimize: false))
    let optimized = try Programs.evaluate(graph)
    #expect(Numerics.maxRelativeError(optimized.gradients[0], raw.gradients[0]) < 1e-12)
  }

  /// A product read elsewhere too stays as it is: rewriting its transpose would compute it twice.
  @Test func theTransposeOfASharedProductStays() throws {
    let graph = try simplified(
      "input A[2, 3]\ninput B[3, 4]\ny = A @ B\nz = y.T\noutput y\noutput z")
    #expect(opNames(graph).sorted() == ["matmul", "transpose"])
  }

  /// Hash-consing compares constants bit for bit: -0 and 0 (and NaNs) are never merged.
  @Test func minusZeroAndZeroStayDistinct() {
    let builder = GraphBuilder()
    #expect(builder.constantNode(Tensor(-0.0)) != builder.constantNode(Tensor(0.0)))
    #expect(builder.constantNode(Tensor(.nan)) == builder.constantNode(Tensor(.nan)))
  }

  @Test func everyPassKeepsLocations() throws {
    let graph = try Programs.compile(TextbookTests.figure11_1)
    for node in graph.nodes where !(node.constantValue?.isScalar ?? false) {
      #expect(node.location != nil, "node '\(node.op.name)' lost its location")
    }
  }

  @Test func optimizationKeepsValues() throws {
    for program in [TextbookTests.figure11_1, TextbookTests.figure11_2] {
      let raw = try Programs.evaluate(try Programs.compile(program, optimize: false))
      let optimized = try Programs.evaluate(try Programs.compile(program, optimize: true))
      #expect(raw.loss?.scalars == optimized.loss?.scalars)
      #expect(raw.gradients.map(\.scalars) == optimized.gradients.map(\.scalars))
    }
  }
}

/// A fixed point stops at its node budget: the round that grew the graph past it is undone.
@Suite struct NodeBudgetTests {
  /// A rule gone wrong: every operation x becomes -(-x), so the graph more than doubles each run.
  struct Bloat: Pass {
    let name = "bloat"
    func run(_ graph: Graph, _ context: inout PassContext) throws(PassFailure) -> Graph {
      do {
        let result = try graph.rebuilt { node, inputs, builder in
          let copy = try builder.copy(node, inputs: inputs)
          return try builder.apply(Op.neg, [builder.apply(Op.neg, [builder.value(copy)])]).nodeID
        }
        context.count("x -> -(-x)", by: graph.nodes.count)
        return result
      } catch {
        throw .internal(pass: name, message: "\(error)")
      }
    }
  }

  @Test func aRoundPastTheBudgetIsUndone() throws {
    let graph = try Programs.lower("param x[2] = [1, 2]\nloss L = sum(exp(x) * x)\n")
    var manager = PassManager()
    manager.addFixedPoint([Bloat()])
    let result = try manager.run(graph)
    #expect(result.graph.nodes.count <= PassManager.nodeBudget(graph.nodes.count))
    #expect(result.graph.nodes.count > graph.nodes.count)
    let counters = try #require(result.reports.first).counters
    #expect(
      counters.contains { $0.0 == "round undone: over the node budget" && $0.1 == 1 }, "\(counters)"
    )
    #expect(
      try Programs.evaluate(result.graph).loss?.scalars == Programs.evaluate(graph).loss?.scalars)
  }
}
