import FFCDriver
import FFCIR
import FFCTensor
import FFCTestSupport
import Testing

@testable import FFCPasses

/// The simplifier's later fixed-point rounds try the rules only where something changed
/// (`RewriteMemo`): round by round, they must make the graph, the counts and the rewrite events of
/// a run that tries every rule on every node.
@Suite struct RewriteMemoTests {
  static var programs: [String] {
    Repository.sampleFiles().map { Repository.read("samples/" + $0) }
      + (0..<40).map { RandomProgram(seed: $0).text }
      + [MLPGenerator.program(depth: 6, width: 4)]
  }

  @Test func laterRoundsAreThoseOfAFullRun() throws {
    var compared = 0
    var skipped = 0
    for text in Self.programs {
      guard let lowered = try? Programs.lower(text),
        let start = try? Pipeline.standard(differentiate: true, optimize: false).run(lowered).graph
      else { continue }
      let remembering = AlgebraicSimplification()
      var graph = start
      for _ in 0..<8 {
        var context = PassContext()
        graph = try ConstantFolding().run(graph, &context)
        var full = PassContext()
        var memoised = PassContext()
        let expected = try AlgebraicSimplification().run(graph, &full)
        let result = try remembering.run(graph, &memoised)
        #expect(Self.structure(result) == Self.structure(expected), "\(text)")
        #expect(
          memoised.sortedCounters.map { "\($0) \($1)" } == full.sortedCounters.map { "\($0) \($1)" }
        )
        #expect(memoised.events.map(Self.describe) == full.events.map(Self.describe), "\(text)")
        compared += 1
        skipped += remembering.memo.skipped
        graph = try CommonSubexpressionElimination().run(result, &context)
        if full.events.isEmpty && context.events.isEmpty { break }
      }
    }
    #expect(compared > 100)
    #expect(skipped > 0)
  }

  /// A rebuild that adds or removes a node renumbers every node after it (a fold at a deep MLP's
  /// loss seed renumbers the whole gradient): the next run still skips the renumbered copies of
  /// nodes where no rule fired, and finds what a full run finds.
  @Test func renumberedNodesAreNotTriedAgain() throws {
    for text in [MLPGenerator.program(depth: 30, width: 4)] + Self.programs.prefix(20) {
      guard let lowered = try? Programs.lower(text),
        var graph = try? Pipeline.standard(differentiate: true, optimize: false).run(lowered).graph
      else { continue }
      let simplifier = AlgebraicSimplification()
      var context = PassContext()
      for _ in 0..<8 {
        let before = graph
        graph = try simplifier.run(graph, &context)
        if graph.isIdentical(to: before) { break }
      }
      // A constant nothing reads, made before the first node that is not a leaf: every node
      // after it moves up by one.
      var inserted = false
      let renumbered = try graph.rebuilt { node, inputs, builder in
        guard !inserted else { return nil }
        inserted = true
        _ = builder.constantNode(Tensor(12345.5))
        return try builder.copy(node, inputs: inputs)
      }
      #expect(renumbered.nodes.count == graph.nodes.count + 1)
      var full = PassContext()
      var memoised = PassContext()
      let expected = try AlgebraicSimplification().run(renumbered, &full)
      let result = try simplifier.run(renumbered, &memoised)
      #expect(Self.structure(result) == Self.structure(expected), "\(text)")
      #expect(memoised.events.map(Self.describe) == full.events.map(Self.describe), "\(text)")
      if full.events.isEmpty {
        #expect(simplifier.memo.skipped == renumbered.nodes.count { !$0.op.isLeaf }, "\(text)")
      }
    }
  }

  static func structure(_ graph: Graph) -> [String] {
    graph.nodes.map { "\($0.op.name) \($0.inputs) \($0.attributes) \($0.shape)" }
      + [TextPrinter().print(graph)]
  }

  static func describe(_ event: RewriteEvent) -> String {
    "\(event.rule): \(event.before) -> \(event.after) \(event.original) \(event.replacement)"
  }
}
