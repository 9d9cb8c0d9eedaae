import FFCDriver
import FFCIR
import FFCPasses
import FFCRuntime
import FFCTestSupport
import Testing

/// The fused kernel against the reference evaluation, on sizes around its block size and on
/// every way it reads an operand (in place, a repeated row, a column, a scalar, a literal).
@Suite struct FusedKernelTests {
  typealias Operand = ElementwiseProgram.Operand

  /// Programs over an output [rows, columns], with the shapes of their operands.
  static func programs(rows: Int, columns: Int) -> [(inputs: [[Int]], steps: [(Op, [Operand])])] {
    [
      ([[rows, columns], [columns]], [(Op.add, [.input(0), .input(1)]), (Op.tanh, [.step(0)])]),
      (
        [[rows, columns], [rows, columns]],
        [
          (Op.mul, [.input(1), .input(1)]), (Op.sub, [.literal(1), .step(0)]),
          (Op.mul, [.input(0), .step(1)]),
        ]
      ),
      // A column, a scalar read by a unary step, a step read twice, a parametric op.
      (
        [[rows, 1], [], [rows, columns]],
        [
          (Op.mul, [.input(0), .input(1)]), (Op.sigmoid, [.input(1)]),
          (Op.add, [.step(0), .step(1)]),
          (Op.div, [.step(2), .input(2)]), (Op.leakyRelu, [.step(2)]),
          (Op.add, [.step(3), .step(4)]),
        ]
      ),
      // Two single values in one step, and a bias over a row of another length.
      (
        [[], [1, columns], [rows, columns]],
        [
          (Op.add, [.input(0), .literal(2.5)]), (Op.mul, [.step(0), .input(1)]),
          (Op.sub, [.step(1), .input(2)]),
          (Op.exp, [.step(2)]),
        ]
      ),
      // One step on an in-place input and a one-element input (x − max(x) at a batch of 1): no
      // scratch memory at all.
      ([[rows, columns], [1, 1]], [(Op.sub, [.input(0), .input(1)])]),
    ]
  }

  static let sizes: [(rows: Int, columns: Int)] = [
    (1, 1), (0, 64), (0, 3), (1, 7), (13, 1), (511, 1), (8, 64), (73, 7), (1, 513), (3, 171),
    (17, 64), (1031, 1),
    (5, 100),
  ]

  @Test(arguments: sizes)
  func matchesTheReference(rows: Int, columns: Int) throws {
    for (number, program) in Self.programs(rows: rows, columns: columns).enumerated() {
      let builder = GraphBuilder()
      var declarations: [Declaration] = []
      var inputs: [NodeID] = []
      for (index, shape) in program.inputs.enumerated() {
        let id = try builder.emit(
          Op.input, [],
          Attributes([("name", .string("x\(index)")), ("shape", .shape(Shape(shape)))]))
        declarations.append(
          Declaration(name: "x\(index)", kind: .input, node: id, shape: Shape(shape)))
        inputs.append(id)
      }
      let fused = try builder.emit(
        Op.fused, inputs, Op.fusedAttributes(Shape([rows, columns]), program.steps))
      let graph = builder.graph(
        name: "fused", declarations: declarations, outputs: [NamedValue("y", fused)], loss: nil)
      try graph.verify()
      var rng = SplitMix64(seed: UInt64(rows * 1000 + columns))
      var feeds: [String: Tensor] = [:]
      for (index, shape) in program.inputs.enumerated() {
        feeds["x\(index)"] = Tensor(
          shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in rng.uniform(0.5, 2) })
      }
      let expected = try ReferenceEvaluator().roots(graph, feeds: feeds).outputs[0]
      let f64 = try Interpreter.roots(graph, feeds: feeds, as: Double.self).outputs[0]
      let f32 = try Interpreter.roots(graph, feeds: feeds, as: Float.self).outputs[0]
      let label = "program \(number) on [\(rows), \(columns)]"
      #expect(f64.shape == [rows, columns], "\(label)")
      #expect(Numerics.maxRelativeError(f64, expected) < 1e-13, "\(label) f64")
      #expect(Numerics.maxRelativeError(f32, expected) < 1e-5, "\(label) f32")
    }
  }

  /// A small operand whose buffer the output takes over (its last reader runs in place) is read
  /// before the first block overwrites it.
  @Test func aSmallOperandSharingTheOutputBufferIsReadFirst() throws {
    let builder = GraphBuilder()
    let shape = Shape([40, 30])
    let x = try builder.emit(
      Op.input, [], Attributes([("name", .string("x")), ("shape", .shape(shape))]))
    let z = try builder.emit(
      Op.input, [], Attributes([("name", .string("z")), ("shape", .shape(shape))]))
    let a = try builder.emit(Op.exp, [x])
    let b = try builder.emit(Op.sum, [a], Attributes([("axes", .ints([0]))]))
    let c = try builder.emit(Op.sum, [b], Attributes([("axes", .ints([0]))]))
    let program: [(Op, [ElementwiseProgram.Operand])] = [
      (Op.add, [.input(0), .input(1)]), (Op.tanh, [.step(0)]),
    ]
    let fused = try builder.emit(Op.fused, [z, c], Op.fusedAttributes(shape, program))
    let graph = builder.graph(
      name: "alias",
      declarations: [
        Declaration(name: "x", kind: .input, node: x, shape: shape),
        Declaration(name: "z", kind: .input, node: z, shape: shape),
      ],
      outputs: [NamedValue("y", fused)], loss: nil)
    var rng = SplitMix64(seed: 3)
    let feeds = [
      "x": Tensor(shape: [40, 30], scalars: (0..<1200).map { _ in rng.uniform(-0.01, 0.01) }),
      "z": Tensor(shape: [40, 30], scalars: (0..<1200).map { _ in rng.uniform(-1, 1) }),
    ]
    let plan = try Plan<Double>(graph, leaves: LeafValues(graph, feeds: feeds, seed: 0))
    #expect(
      plan.buffer(of: c) == plan.buffer(of: fused),
      "the test no longer makes the output share the scalar's buffer")
    plan.run()
    let expected = try ReferenceEvaluator().roots(graph, feeds: feeds).outputs[0]
    #expect(Numerics.maxRelativeError(plan.roots().outputs[0], expected) < 1e-13)
  }
}

/// Fusion changes no value beyond rounding: the fused and unfused plans of every sample and of the
/// seeded random networks agree, in f64 and f32.
@Suite struct FusionPreservesValuesTests {
  static func compare(_ graph: Graph, feeds: [String: Tensor], seed: UInt64, _ label: String) throws
  {
    let fused = try Pipeline.execution().run(graph).graph
    let all = { (r: (outputs: [Tensor], loss: Tensor?, gradients: [Tensor])) in
      r.outputs + r.gradients + [r.loss].compactMap { $0 }
    }
    let plain64 = all(try Interpreter.roots(graph, feeds: feeds, seed: seed, as: Double.self))
    let fused64 = all(try Interpreter.roots(fused, feeds: feeds, seed: seed, as: Double.self))
    let plain32 = all(try Interpreter.roots(graph, feeds: feeds, seed: seed, as: Float.self))
    let fused32 = all(try Interpreter.roots(fused, feeds: feeds, seed: seed, as: Float.self))
    #expect(plain64.count == fused64.count)
    for (x, y) in zip(plain64, fused64) {
      #expect(Numerics.maxRelativeError(x, y) < 1e-12, "\(label) f64")
    }
    for (x, y) in zip(plain32, fused32) {
      #expect(Numerics.maxRelativeError(x, y) < 1e-5, "\(label) f32")
    }
  }

  @Test(arguments: Repository.sampleFiles())
  func onEverySample(file: String) throws {
    let graph = try Programs.compile(Repository.read("samples/" + file), differentiate: true)
    var rng = SplitMix64(seed: 11)
    var feeds: [String: Tensor] = [:]
    for declaration in graph.declarations
    where declaration.kind != .param && declaration.kind != .const {
      let shape = declaration.shape.dims.map { $0.value ?? 5 }
      let isLabel = declaration.kind == .label
      let classes = graph.labelClasses().first { $0.name == declaration.name }?.classes ?? 2
      feeds[declaration.name] = Tensor(
        shape: shape,
        scalars: (0..<shape.reduce(1, *)).map { _ in
          isLabel ? Double(rng.next() % UInt64(classes)) : rng.uniform(-1, 1)
        })
    }
    try Self.compare(graph, feeds: feeds, seed: 0, file)
  }

  @Test(arguments: RandomNetworkTests.seeds)
  func onRandomNetworks(seed: UInt64) throws {
    let network = RandomNetwork(seed: seed)
    let graph = try Programs.compile(network.text, differentiate: true)
    try Self.compare(graph, feeds: network.feeds, seed: seed, network.description)
  }
}

@Suite struct FusionPassTests {
  static func fused(_ text: String) throws -> Graph {
    try Pipeline.execution().run(Programs.compile(text, differentiate: true)).graph
  }

  /// A dense tanh layer runs as a product and one fused node forward, one fused node, a column
  /// sum and two products backward: no bias broadcast, no separate derivative ops.
  @Test func aTanhLayerFusesItsBiasAndDerivative() throws {
    let graph = try Self.fused(MLPGenerator.program(depth: 3, width: 8))
    #expect(!graph.nodes.contains { $0.op === Op.broadcastTo })
    let programs = graph.nodes.filter { $0.op === Op.fused }.map {
      $0.attributes.program("program").description
    }
    #expect(programs.filter { $0 == "tanh(add(#0, #1))" }.count == 3)
    #expect(programs.filter { $0 == "mul(#1, sub(1, mul(#0, #0)))" }.count == 2, "\(programs)")
    let named = graph.nodes.compactMap(\.name)
    #expect(named.contains("h2") && named.contains("dL/dh2.z"))
  }

  /// Fewer ops than PyTensor's training graph of the same MLP (width 32, tanh, MSE): 120 at
  /// depth 10, 1020 at depth 100, counting one in-place update per parameter.
  @Test(arguments: [(10, 120), (100, 1020)])
  func fewerOpsThanPyTensor(depth: Int, pytensor: Int) throws {
    let graph = try Self.fused(MLPGenerator.program(depth: depth, width: 32))
    #expect(graph.trainingStepOperationCount < pytensor)
  }

  /// Roots and the values a caller keeps stay materialised; nothing else leaves the graph.
  @Test func keptValuesAreNotFusedAway() throws {
    let graph = try Programs.compile(MLPGenerator.program(depth: 2, width: 4), differentiate: true)
    let z = try #require(graph.nodes.firstIndex { $0.name == "h1.z" })
    let result = try Pipeline.execution(keep: [NodeID(z)]).run(graph).graph
    let kept = try #require(result.nodes.firstIndex { $0.name == "h1.z" })
    #expect(
      result.nodes.contains { $0.name == "h1" && $0.op === Op.tanh && $0.inputs == [NodeID(kept)] })
    #expect(result.outputs.map(\.name) == graph.outputs.map(\.name))
    #expect(result.gradients.map(\.declaration) == graph.gradients.map(\.declaration))
  }

  /// Fused nodes alike (every layer's `tanh(add(#0, #1))` and its derivative: same program and
  /// shapes) share one layout in a plan, and each still reads its own operands and writes its own
  /// value: the deep MLP's outputs, loss and gradients are the unfused graph's.
  @Test func alikeFusedNodesReadTheirOwnOperands() throws {
    let graph = try Programs.compile(
      MLPGenerator.program(depth: 12, width: 5, batch: "3"), differentiate: true)
    let fused = try Pipeline.execution().run(graph).graph
    #expect(fused.nodes.count { $0.op === Op.fused } >= 23)
    let feeds = [
      "X": Tensor(shape: [3, 5], scalars: (0..<15).map { Double($0) / 10 - 0.7 }),
      "Y": Tensor(shape: [3, 5], scalars: (0..<15).map { Double($0 % 4) / 4 - 0.3 }),
    ]
    let plain = try Interpreter.roots(graph, feeds: feeds, as: Double.self)
    let result = try Interpreter.roots(fused, feeds: feeds, as: Double.self)
    for (a, b) in zip(result.outputs + result.gradients, plain.outputs + plain.gradients) {
      #expect(Numerics.maxRelativeError(a, b) < 1e-12)
    }
    #expect(result.gradients.count == 24)
    #expect(abs(result.loss!.scalars[0] - plain.loss!.scalars[0]) < 1e-12)
  }

  /// A chain of 1,800 elementwise ops is one fused node, computing what the unfused graph does,
  /// and its printed program grows linearly (long nested text is named, `$k = ...`).
  @Test func aLongChainIsOneFusedNode() throws {
    var lines = ["input x[5] = [0.1, -0.2, 0.3, 0.4, -0.5]", "h0 = x"]
    for i in 1...600 { lines.append("h\(i) = tanh(h\(i - 1)) * 0.5 + x") }
    lines.append("output h600")
    let text = lines.joined(separator: "\n") + "\n"
    let graph = try Programs.compile(text, differentiate: false)
    let fused = try Pipeline.execution().run(graph).graph
    #expect(fused.nodes.count { $0.op === Op.fused } == 1)
    let plain = try Interpreter.roots(graph, feeds: [:], as: Double.self).outputs[0]
    let result = try Interpreter.roots(fused, feeds: [:], as: Double.self).outputs[0]
    #expect(Numerics.maxRelativeError(result, plain) < 1e-12)
    let printed = CLI.run(["compile", "--fuse", "-"], stdinText: text)
    #expect(
      printed.code == .success && printed.stdout.utf8.count < 200 * 1800,
      "\(printed.stdout.utf8.count) bytes")
  }

  /// `compile --emit-grad` prints the unfused graph; `--fuse` the one that runs.
  @Test func onlyCompileFusePrintsFusedNodes() throws {
    let program = MLPGenerator.program(depth: 2, width: 4)
    let plain = CLI.run(["compile", "--emit-grad", "-"], stdinText: program)
    let fused = CLI.run(["compile", "--emit-grad", "--fuse", "-"], stdinText: program)
    #expect(plain.code == .success && fused.code == .success)
    #expect(!plain.stdout.contains("fused"))
    #expect(fused.stdout.contains("fused[program=tanh(add(#0, #1))"))
    let stats = CLI.run(["compile", "--emit-grad", "--stats=counts", "-"], stdinText: program)
    #expect(stats.stderr.contains("fused for execution: "), "\(stats.stderr)")
  }
}
