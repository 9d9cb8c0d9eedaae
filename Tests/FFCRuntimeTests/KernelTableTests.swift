import FFCIR
import FFCRuntime
import FFCTestSupport
import Testing

/// The runtime's kernel table against the registry: a new op cannot silently lose its kernel.
@Suite struct KernelTableTests {
  /// Every op a plan may meet: the registry's and the execution passes' own.
  static let ops: [Op] =
    OpRegistry.all
    + Op.executionOps.filter { op in
      !OpRegistry.all.contains { $0 === op }
    }

  @Test func everyOpHasAKernelOrSaysWhyNot() {
    for op in Self.ops {
      let reason = KernelTable.withoutKernel.first { $0.op === op }?.reason
      if KernelTable.kernel(for: op) != nil {
        #expect(reason == nil, "'\(op.name)' has a kernel and a reason to have none")
      } else {
        #expect(reason?.isEmpty == false, "'\(op.name)' has no kernel and no reason")
      }
    }
  }

  /// The fusion pass fuses the ops with a scalar function: each needs its block loop.
  @Test func everyScalarFunctionHasABlockLoop() {
    for op in Self.ops {
      #expect(
        (op.scalarFunction != nil) == (KernelTable.loop(for: op) != nil),
        "'\(op.name)': a scalar function and a block loop go together")
    }
  }

  /// f32 tanh runs the vectorised approximation, alone and fused, not the scalar tanhf.
  @Test func tanhRunsItsFastLoopInSinglePrecision() throws {
    let x: [Float] = (0..<64).map { Float($0 - 32) / 8 }
    var expected = [Float](repeating: 0, count: x.count)
    Compute.tanh(x, &expected, count: x.count)
    let loop = try #require(KernelTable.loop(for: Op.tanh)).float(.none)
    var out = [Float](repeating: 0, count: x.count)
    x.withUnsafeBufferPointer { x in
      out.withUnsafeMutableBufferPointer { out in
        loop(x.baseAddress!, x.count, x.baseAddress!, x.count, out.baseAddress!, x.count)
      }
    }
    #expect(out == expected)
  }

  /// An op the table does not know runs its reference evaluation, and the plan says so.
  @Test func anOpWithoutAKernelRunsItsReference() throws {
    let op = TestOps.wrongSquare
    #expect(KernelTable.kernel(for: op) == nil)
    let graph = try FiniteDifferences.probeGraph(
      op, op.samples[0], weights: Tensor(shape: [3], scalars: [1, 1, 1]))
    let feeds = ["x0": Tensor(shape: [3], scalars: [1, 2, 3])]
    let plan = try Plan<Double>(graph, leaves: LeafValues(graph, feeds: feeds, seed: 0))
    plan.run()
    #expect(plan.statistics.fallbackOps == ["wrong_square"])
    #expect(plan.value(of: try #require(graph.loss).node).scalars == [14])
  }
}
