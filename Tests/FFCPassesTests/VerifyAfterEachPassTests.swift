import FFCIR
import FFCPasses
import FFCTestSupport
import Testing

/// The pass manager's verification catches a broken graph after every kind of pass, whether it
/// checks the whole graph (after the first pass that changes it) or only what changed since the
/// last verified graph (after every later one): each pass of the standard and execution
/// pipelines is run in turn with its result broken one way, and the run must stop with an
/// internal error naming that pass.
@Suite struct VerifyAfterEachPassTests {
  static let program =
    "input x[N, 3]\nparam w[3] = [1, 2, 3]\nparam b[3] = [0, 1, 0]\n"
    + "h = tanh(x * w + b)\nloss L = sum(h * h * w)\n"

  enum Breakage: CaseIterable, Sendable {
    /// A node whose shape is not what its rule gives.
    case shape
    /// A node reading itself, so not a node before it.
    case order
    /// An output pointing past the last node.
    case root

    var message: String {
      switch self {
      case .shape: "its rule gives"
      case .order: "which does not precede it"
      case .root: "is not a node of the graph"
      }
    }
  }

  /// Runs `inner`, then breaks what it returned.
  struct Breaking: Pass {
    let inner: any Pass
    let breakage: Breakage
    var name: String { inner.name }

    func run(_ graph: Graph, _ context: inout PassContext) throws(PassFailure) -> Graph {
      let result = try inner.run(graph, &context)
      var nodes = result.nodes
      var outputs = result.outputs
      // A node in the middle of those that read others: not the last, so nodes after it that
      // the pass kept are skipped or checked as the incremental verification decides.
      let readers = nodes.indices.filter { !nodes[$0].inputs.isEmpty }
      let index = readers[readers.count / 2]
      let node = nodes[index]
      switch breakage {
      case .shape:
        nodes[index] = Node(
          op: node.op, inputs: node.inputs, attributes: node.attributes, shape: [7, 7, 7],
          name: node.name, location: node.location, isGradient: node.isGradient)
      case .order:
        nodes[index] = node.withInputs([NodeID(index)] + node.inputs.dropFirst())
      case .root:
        outputs.append(NamedValue("broken", NodeID(nodes.count)))
      }
      return Graph(
        name: result.name, nodes: nodes, declarations: result.declarations, outputs: outputs,
        loss: result.loss, gradients: result.gradients, adjoints: result.adjoints,
        aliases: result.aliases)
    }
  }

  /// Every pass, in pipeline order: the standard pipeline at `--order 2`, then execution's.
  static func passes() -> [any Pass] {
    [
      Stabilize(), UnstableLint(), Differentiate(), HessianVectorProducts(), ConstantFolding(),
      AlgebraicSimplification(), CommonSubexpressionElimination(), DeadCodeElimination(),
      ElementwiseFusion(), DeadCodeElimination(),
    ]
  }

  @Test(arguments: Breakage.allCases)
  func aBrokenGraphIsCaughtAfterEachPass(breakage: Breakage) throws {
    let graph = try Programs.lower(Self.program)
    let count = Self.passes().count
    for broken in 0..<count {
      var manager = PassManager()
      var passes = Self.passes()
      passes[broken] = Breaking(inner: passes[broken], breakage: breakage)
      // The simplifiers run as a fixed-point group, as in the standard pipeline.
      for pass in passes[0..<4] { manager.add(pass) }
      manager.addFixedPoint(Array(passes[4..<7]))
      for pass in passes[7...] { manager.add(pass) }
      let name = passes[broken].name
      #expect("pass \(broken) (\(name)), \(breakage)") {
        _ = try manager.run(graph)
      } throws: { error in
        guard case .internal(let pass, let message) = error as? PassFailure else { return false }
        return pass == name && message.contains(breakage.message)
      }
    }
  }

  /// The unbroken pipeline runs through: what the test breaks is all that is caught.
  @Test func theUnbrokenPipelinePasses() throws {
    let graph = try Programs.lower(Self.program)
    var manager = PassManager()
    let passes = Self.passes()
    for pass in passes[0..<4] { manager.add(pass) }
    manager.addFixedPoint(Array(passes[4..<7]))
    for pass in passes[7...] { manager.add(pass) }
    _ = try manager.run(graph)
  }
}
