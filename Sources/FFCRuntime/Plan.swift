import FFCIR

/// What building a plan measured, for `ffc compile --stats` and the benchmarks.
public struct PlanStatistics: Sendable {
  public var precision: Precision
  public var instructions: Int
  public var buffers: Int
  /// Bytes of the arena (the peak of live values) plus the kernels' shared scratch memory.
  public var peakBytes: Int
  /// Bytes the values would take with a buffer of their own each, plus the same scratch memory
  /// (so the two figures differ by what reuse saves).
  public var unsharedBytes: Int
  public var workspaceBytes: Int
  /// Matrix products that finish their reader's bias and activation as they store C
  /// (`EpilogueFusion`): each saves an instruction and a pass over its value in `run()`.
  public var epilogues: Int = 0
  /// Parameters whose plain SGD update their gradient's product applies (`UpdateFusion`): each
  /// gradient is never stored, and the optimizer's pass over it is saved.
  public var updates: Int = 0
  /// Ops that ran through their reference `evaluate` for want of a kernel.
  public var fallbackOps: [String]
}

/// A graph compiled for one set of shape bindings: each node's kernel chosen once, bound to its
/// buffers in one preallocated arena, and kept as a flat list of instructions. Running it is a
/// loop over closures: no graph walk, no look-up and no shape check per node.
public final class Plan<T: PlanScalar> {
  public let graph: Graph
  /// Every node's concrete shape.
  public let shapes: [[Int]]
  /// Every node's element count (0 for a gradient whose update is fused: it has no value).
  private let counts: [Int]
  public private(set) var statistics = PlanStatistics(
    precision: T.precision, instructions: 0, buffers: 0, peakBytes: 0, unsharedBytes: 0,
    workspaceBytes: 0, fallbackOps: [])
  private let arena: UnsafeMutablePointer<T>
  private let workspace = Workspace<T>()
  private let bufferPlan: BufferPlan
  private var steps: [(node: Int, run: Instruction)] = []
  /// What `run()` runs: `steps` with each product fused with its reader (`EpilogueFusion`) run
  /// as one instruction. Nil once a value is frozen or overridden (the steps then run apart).
  private var fusedRun: [Instruction]?

  /// Plans `graph` for the shapes `bindings` gives its symbols. `keepAll` keeps every value (for
  /// tracing), `keep` some; otherwise buffers are shared by values whose lifetimes do not overlap.
  /// `external` gives leaves buffers the caller owns (and keeps alive as long as the plan): the
  /// parameters training updates, shared by the plans for each batch size. `updates`: plain SGD
  /// steps the plan applies itself where it can (`UpdateFusion`; `fusesUpdate(of:)`).
  // Specialised: called from other modules, the generic initialiser looked up the pointer and
  // array types' metadata per node.
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public init(
    _ graph: Graph, bindings: [String: Int], keepAll: Bool = false, keep: [NodeID] = [],
    external: [NodeID: UnsafeMutablePointer<T>] = [:], updates: ParameterUpdates<T>? = nil
  ) throws(EvaluationError) {
    self.external = external
    self.graph = graph
    let shapes = try LeafValues.concreteShapes(graph, bindings: bindings)
    self.shapes = shapes
    var counts: [Int] = []
    counts.reserveCapacity(graph.nodes.count)
    for (index, node) in graph.nodes.enumerated() {
      counts.append(
        try MemoryBudget.elementCount(
          shapes[index], bytesPerElement: MemoryLayout<T>.stride,
          of: node.name.map { "'\($0)'" } ?? "this \(node.op.name)", at: node.location))
    }
    // Gradients that move their parameters as they are computed: no buffer, their operands
    // read at the update's place.
    let updateFusions =
      keepAll
      ? [] : updates.map { UpdateFusion.find(graph, shapes: shapes, kept: keep, updates: $0) } ?? []
    for fusion in updateFusions { counts[fusion.product] = 0 }
    self.counts = counts
    // Each node's kernel, looked up once here: running the plan looks nothing up.
    let kernels = graph.nodes.map { KernelTable.kernel(for: $0.op) }
    bufferPlan = BufferPlan(
      graph, counts: counts, inPlace: kernels.map { $0?.inPlace ?? false },
      keepAll: keepAll, keep: keep,
      lateReads: updateFusions.flatMap { fusion in fusion.operands.map { ($0, fusion.after) } })
    let (arenaBytes, overflow) = bufferPlan.arenaCount.multipliedReportingOverflow(
      by: MemoryLayout<T>.stride)
    let largest = counts.indices.max { counts[$0] < counts[$1] }
    try MemoryBudget.check(
      totalBytes: arenaBytes, overflowed: overflow,
      shapes: bindings.isEmpty
        ? ""
        : " (with \(bindings.keys.sorted().map { "\($0) = \(bindings[$0] ?? 0)" }.joined(separator: ", ")))",
      at: largest.flatMap { graph.nodes[$0].location })
    // Zeroed by the allocator (0.0 in both precisions); an allocation the system refuses is an
    // error, not an abort.
    arena = try MemoryBudget.allocate(
      bufferPlan.arenaCount, of: "the values of this program",
      at: largest.flatMap { graph.nodes[$0].location })

    var fallbacks: [String] = []
    // Products fused with their readers, by product; a reader's instruction once it is made.
    var fusions: [Int: EpilogueFusion] = [:]
    if !keepAll {
      for fusion in EpilogueFusion.find(
        graph, shapes: shapes, kept: keep, buffers: bufferPlan.bufferOfNode)
      {
        fusions[fusion.product] = fusion
      }
    }
    var fusedReaders: [Int: Instruction] = [:]
    var fusedRun: [Instruction] = []
    var order = UpdateOrder(graph, updateFusions, buffers: bufferPlan)
    for (index, node) in graph.nodes.enumerated() {
      defer {
        // The updates due after this node, after its instruction.
        for (fusion, update) in order.due(after: index) {
          steps.append((fusion.product, update))
          fusedRun.append(update)
        }
      }
      // A constant the element type cannot hold would silently become an infinity, as a data
      // value would (`set` refuses those).
      if let x = node.firstEmbeddedNumber(where: { $0.isFinite && !T($0).isFinite }) {
        order.abandon()
        throw EvaluationError(
          message: "the constant \(TensorFormat.number(x)) is too large for \(T.precision)",
          location: node.location, unrepresentableIn: T.precision)
      }
      if let constant = node.constantValue {
        write(constant.scalars, toNode: index)
        continue
      }
      if node.op.isLeaf { continue }
      // Loops, not `map`: in this generic initialiser `map` runs unspecialised, a closure call
      // per operand (a sixth of a plan's making for a deep net).
      var inputs: [UnsafeMutablePointer<T>] = []
      var inputShapes: [[Int]] = []
      inputs.reserveCapacity(node.inputs.count)
      inputShapes.reserveCapacity(node.inputs.count)
      for input in node.inputs {
        inputs.append(pointer(input.index))
        inputShapes.append(shapes[input.index])
      }
      let call = KernelCall<T>(
        inputs: inputs, output: pointer(index), inputShapes: inputShapes,
        outputShape: shapes[index],
        attributes: node.attributes,
        workspace: workspace)
      if order.defers(index) {
        order.prepare(index, updateInstruction(call, order.fusion(index), updates))
        continue
      }
      if let kernel = kernels[index] {
        steps.append((index, T.instruction(kernel, call)))
      } else {
        if !fallbacks.contains(node.op.name) { fallbacks.append(node.op.name) }
        steps.append((index, Self.referenceInstruction(node, call)))
      }
      if let fusion = fusions[index], let instruction = fusedInstruction(fusion, call) {
        // The product runs at its reader's place.
        fusedReaders[fusion.reader] = instruction
        order.runs(index, at: fusion.reader)
      } else {
        fusedRun.append(fusedReaders[index] ?? steps[steps.count - 1].run)
      }
    }
    order.verify()
    self.fusedRun = fusedRun
    try workspace.allocate()
    let size = MemoryLayout<T>.stride
    statistics = PlanStatistics(
      precision: T.precision, instructions: steps.count, buffers: bufferPlan.capacities.count,
      peakBytes: (bufferPlan.arenaCount + workspace.count) * size,
      unsharedBytes: (bufferPlan.unsharedCount + workspace.count) * size,
      workspaceBytes: workspace.count * size, epilogues: fusedReaders.count,
      updates: updateFusions.count, fallbackOps: fallbacks)
    fusedGradients = updateFusions.map { NodeID($0.product) }
  }

  /// The gradients whose updates this plan applies (`UpdateFusion`); the caller's optimizer
  /// steps the others.
  public private(set) var fusedGradients: [NodeID] = []

  /// Whether the plan applies the update of the parameter with this gradient itself.
  public func fusesUpdate(of gradient: NodeID) -> Bool { fusedGradients.contains(gradient) }

  deinit { MemoryBudget.release(arena) }

  private let external: [NodeID: UnsafeMutablePointer<T>]

  /// The instruction of a product fused with its reader: the product into the reader's buffer,
  /// finished by the reader's bias and activation. Nil (the two run apart) when the reader's
  /// buffer overlaps one the product reads: the buffer plan may give the reader a buffer whose
  /// value died at the product.
  private func fusedInstruction(_ fusion: EpilogueFusion, _ call: KernelCall<T>)
    -> Instruction?
  {
    let out = pointer(fusion.reader)
    let written = out..<out + counts[fusion.reader]
    let read =
      graph.nodes[fusion.product].inputs.map(\.index)
      + [fusion.bias, fusion.mask].compactMap { $0 }
    for node in read {
      let start = pointer(node)
      if written.overlaps(start..<start + Swift.max(counts[node], 1)) { return nil }
    }
    let epilogue = ProductEpilogue(
      bias: fusion.bias.map { UnsafePointer(pointer($0)) }, activation: fusion.activation,
      mask: fusion.mask.map { UnsafePointer(pointer($0)) }, maskRowStride: shapes[fusion.product][1]
    )
    return matmulKernel(call, into: out, finishing: epilogue)
  }

  /// A gradient's product moving its parameter (`ProductUpdate`), unless the loss this run
  /// computed is not finite.
  private func updateInstruction(
    _ call: KernelCall<T>, _ fusion: UpdateFusion, _ updates: ParameterUpdates<T>?
  ) -> Instruction {
    let theta = pointer(fusion.parameter)
    let loss = UnsafePointer(pointer(graph.loss?.node.index ?? fusion.product))
    let update = ProductUpdate(rate: updates?.rate ?? 0, decay: updates?.decay ?? 0)
    return updateKernel(call, moving: theta, by: update, unlessNotFinite: loss)
  }

  private func pointer(_ node: Int) -> UnsafeMutablePointer<T> {
    // Most plans have no external buffers: no hashing then.
    (external.isEmpty ? nil : external[NodeID(node)]) ?? arena + bufferPlan.offset(ofNode: node)
  }

  /// The buffer holding a node's value: for leaves, roots and kept nodes after a run, what the
  /// caller reads and writes directly (mini-batches in, gradients out).
  public func buffer(of node: NodeID) -> UnsafeMutablePointer<T> { pointer(node.index) }

  /// A node's element count.
  public func count(of node: NodeID) -> Int { counts[node.index] }

  /// Sets a leaf's value (an input, target, label or parameter) for the next runs. The caller
  /// gives exactly the node's element count.
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public func write(_ values: [Double], toNode index: Int) {
    let target = pointer(index)
    for i in 0..<Swift.min(values.count, counts[index]) { target[i] = T(values[i]) }
  }

  public func write(_ tensor: Tensor, to node: NodeID) { write(tensor.scalars, toNode: node.index) }

  /// Replaces the instructions of `nodes` by writes of the values the last run gave them, so
  /// later runs see those values whatever the leaves are now: `ffc check` holds the values under
  /// `stop_gradient` still while it probes the loss. (A write, not a skipped instruction: an
  /// in-place kernel may share the node's buffer with its operand, which later runs overwrite.)
  public func freeze(_ nodes: [NodeID]) {
    fusedRun = nil
    for node in nodes {
      let saved = Array(UnsafeBufferPointer(start: pointer(node.index), count: counts[node.index]))
      let target = pointer(node.index)
      for position in steps.indices where steps[position].node == node.index {
        steps[position].run = { for i in saved.indices { target[i] = saved[i] } }
      }
    }
  }

  /// Sets a node's value for the next runs: a leaf's buffer is written, any other node's
  /// instruction becomes a write of `values` (`ffc check` moves an intermediate value, taken as
  /// an independent input, as `jvp` and `jacobian` do). `restore` undoes it.
  public func override(_ node: NodeID, with values: [Double]) {
    fusedRun = nil
    let target = pointer(node.index)
    let count = counts[node.index]
    if graph.nodes[node.index].op.isLeaf {
      if overridden[node.index] == nil {
        let saved = Array(UnsafeBufferPointer(start: target, count: count))
        overridden[node.index] = { for i in 0..<count { target[i] = saved[i] } }
      }
      for i in 0..<Swift.min(count, values.count) { target[i] = T(values[i]) }
      return
    }
    let converted = values.map { T($0) }
    for position in steps.indices where steps[position].node == node.index {
      if overridden[node.index] == nil {
        let original = steps[position].run
        overridden[node.index] = { [unowned self] in self.steps[position].run = original }
      }
      steps[position].run = {
        for i in 0..<Swift.min(count, converted.count) { target[i] = converted[i] }
      }
    }
  }

  /// Undoes `override` of `node`.
  public func restore(_ node: NodeID) {
    overridden.removeValue(forKey: node.index)?()
  }

  private var overridden: [Int: () -> Void] = [:]

  /// Runs every instruction in order, each product fused with its reader run as one.
  public func run() {
    if let fusedRun {
      for instruction in fusedRun { instruction() }
      return
    }
    for step in steps { step.run() }
  }

  /// Runs every instruction in order, each product apart from its reader (`run()` gives the
  /// same bits, faster; for the tests that compare them).
  public func runApart() {
    for step in steps { step.run() }
  }

  /// Runs every instruction in order and shows each node to `observe` right after it is
  /// computed, while its buffer still holds its value.
  public func run(observing observe: (NodeID) -> Void) {
    for step in steps {
      step.run()
      observe(NodeID(step.node))
    }
  }

  /// Runs in order but stops after the first instruction that produces a NaN or an infinity,
  /// and returns its node.
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public func runCheckingNumerics() -> NodeID? {
    for step in steps {
      step.run()
      let values = pointer(step.node)
      for i in 0..<counts[step.node] where !values[i].isFinite { return NodeID(step.node) }
    }
    return nil
  }

  /// A node's current value as an f64 tensor. Valid for roots and leaves after a run, and for
  /// every node of a plan built with `keepAll`.
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public func value(of node: NodeID) -> Tensor {
    let shape = shapes[node.index]
    let source = pointer(node.index)
    return Tensor(shape: shape, scalars: (0..<counts[node.index]).map { Double(source[$0]) })
  }

  /// An op without a kernel: its inputs copied out as f64 tensors, its reference `evaluate`, the
  /// result copied back.
  private static func referenceInstruction(_ node: Node, _ call: KernelCall<T>) -> Instruction {
    let (op, attributes, shapes, inputs, output, outputShape) = (
      node.op, node.attributes, call.inputShapes, call.inputs, call.output, call.outputShape
    )
    return {
      let tensors = zip(inputs, shapes).map { pointer, shape in
        Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { Double(pointer[$0]) })
      }
      let result = op.evaluate(tensors, attributes, outputShape)
      for (i, x) in result.scalars.enumerated() { output[i] = T(x) }
    }
  }
}

extension Plan {
  /// Plans `graph` for the sizes `leaves` binds and writes every leaf's value into it. A leaf in
  /// `external` already holds its value in the caller's memory (see the designated initialiser)
  /// and is not written.
  public convenience init(
    _ graph: Graph, leaves: LeafValues, keepAll: Bool = false,
    external: [NodeID: UnsafeMutablePointer<T>] = [:]
  ) throws(EvaluationError) {
    try self.init(graph, bindings: leaves.bindings, keepAll: keepAll, external: external)
    for (declaration, value) in leaves.values where external[declaration.node] == nil {
      try set(value, for: declaration)
    }
    for (declaration, value) in leaves.stored where external[declaration.node] == nil {
      try Self.fill(buffer(of: declaration.node), from: value, for: declaration)
    }
  }

  /// Fills a parameter's buffer from a file, chunk by chunk (no f64 copy of the whole tensor),
  /// refusing a value the element type cannot hold, and a file whose check fails at the end of
  /// the reading (`StoredTensor.readFailure`).
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public static func fill(
    _ target: UnsafeMutablePointer<T>, from value: StoredTensor, for declaration: Declaration
  ) throws(EvaluationError) {
    // A deflated `.npz` member is checked at the end of its one pass: then the buffer is not
    // used, and a value it gave is not named in a message.
    func unreadable() -> EvaluationError? {
      value.readFailure().map {
        EvaluationError(message: "cannot read \($0)", location: declaration.location)
      }
    }
    do throws(EvaluationError) {
      try value.forEachChunk { (start, chunk) throws(EvaluationError) in
        for (i, x) in chunk.enumerated() {
          let converted = T(x)
          if x.isFinite && !converted.isFinite {
            throw EvaluationError(
              message:
                "the value \(TensorFormat.number(x)) of '\(declaration.name)' is too large for \(T.precision)",
              location: declaration.location, unrepresentableIn: T.precision)
          }
          target[start + i] = converted
        }
      }
    } catch {
      throw unreadable() ?? error
    }
    if let failure = unreadable() { throw failure }
  }

  /// Writes a declared leaf's value, refusing one the element type cannot hold: a finite value too
  /// large for f32 would silently become an infinity.
  public func set(_ value: Tensor, for declaration: Declaration) throws(EvaluationError) {
    if let x = value.scalars.first(where: { $0.isFinite && !T($0).isFinite }) {
      throw EvaluationError(
        message:
          "the value \(TensorFormat.number(x)) of '\(declaration.name)' is too large for \(T.precision)",
        location: declaration.location, unrepresentableIn: T.precision)
    }
    write(value, to: declaration.node)
  }

  /// The roots after a run: outputs, loss and gradients, in the graph's order.
  public func roots() -> (outputs: [Tensor], loss: Tensor?, gradients: [Tensor]) {
    (
      graph.outputs.map { value(of: $0.node) }, graph.loss.map { value(of: $0.node) },
      graph.gradients.map { value(of: $0.node) }
    )
  }
}

/// One-shot evaluation through a compiled plan, for callers that run a graph once.
public enum Interpreter {
  public static func roots<T: PlanScalar>(
    _ graph: Graph, feeds: [String: Tensor], seed: UInt64 = 0, as _: T.Type
  ) throws(EvaluationError) -> (outputs: [Tensor], loss: Tensor?, gradients: [Tensor]) {
    let plan = try Plan<T>(graph, leaves: LeafValues(graph, feeds: feeds, seed: seed))
    plan.run()
    return plan.roots()
  }
}

extension Plan {
  /// FLOPs of the plan's matrix products per run, as each op's `flops` rule counts them:
  /// 2·m·k·n for a matmul (the work benchmarks count; elementwise ops and reductions are left out).
  public var matmulFLOPs: Double {
    var total = 0.0
    for (index, node) in graph.nodes.enumerated() {
      guard let flops = node.op.flops else { continue }
      total += flops(node.inputs.map { shapes[$0.index] }, shapes[index], node.attributes)
    }
    return total
  }
}
