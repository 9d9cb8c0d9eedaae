import FFCIR
import Foundation

/// The plain SGD step a training plan may apply itself, as it computes the gradients
/// (`UpdateFusion`): `θ ← θ − rate·(g + decay·θ)`, the optimizer's expression, for the
/// parameters listed (each parameter's leaf with its gradient's node). A parameter the plan does
/// not fuse is left to the optimizer (`Plan.fusesUpdate(of:)` says which).
public struct ParameterUpdates<T> {
  public let parameters: [(parameter: NodeID, gradient: NodeID)]
  public let rate: T
  public let decay: T

  public init(parameters: [(parameter: NodeID, gradient: NodeID)], rate: T, decay: T) {
    (self.parameters, self.rate, self.decay) = (parameters, rate, decay)
  }
}

extension TrainingSettings {
  /// Whether training and `ffc bench` fuse plain SGD updates into their plans unless told
  /// otherwise: `FFC_FUSE_UPDATES=0` turns it off, for differential tests and measurements (the
  /// optimizer then updates every parameter after the run, as before).
  public static let fusesUpdatesByDefault =
    ProcessInfo.processInfo.environment["FFC_FUSE_UPDATES"] != "0"
}

/// A parameter's plain SGD update done by the matrix product that computes its gradient: the
/// product moves the parameter tile by tile (`ProductUpdate`) and the gradient is never stored
/// (its node gets no buffer), so training holds no large parameter's gradient, and the gradient's
/// C is not written out and read back by the optimizer.
///
/// A gradient is fused when its node is a matrix product of two matrices whose value has the
/// parameter's shape (so C's element (i, j) is the parameter's, row-major, with no transpose
/// between them), that nothing else reads (no node, not an output, not the loss, no other
/// parameter's gradient, not kept for a metric or a trace), whose operands are not parameters
/// being updated (an update could otherwise run before a product that reads its old value), in a
/// graph with a loss.
///
/// The update runs after the instruction of `after`: the last node that reads the parameter (a
/// product that may run at its reader's place, `EpilogueFusion`, counted there), the loss, or the
/// product itself, whichever comes last, so every reader sees the parameter's old value. The
/// product's operands are kept alive until then (`BufferPlan`'s `readsAt`). The plan checks the
/// order once it is made (`Plan.verifyUpdateOrder`). At run time the update is skipped when the
/// loss is not finite: training then stops with the last good values, as the optimizer's step
/// is never reached.
struct UpdateFusion {
  let product: Int
  let parameter: Int
  let after: Int
  /// The nodes that read the parameter: each must have run before the update.
  let readers: [Int]
  /// The product's operands.
  let operands: [Int]

  static func find<T>(
    _ graph: Graph, shapes: [[Int]], kept: [NodeID], updates: ParameterUpdates<T>
  ) -> [UpdateFusion] {
    guard let loss = graph.loss?.node.index else { return [] }
    let nodes = graph.nodes
    var updated = [Bool](repeating: false, count: nodes.count)
    for (parameter, _) in updates.parameters { updated[parameter.index] = true }
    // Reads of each node (an operand twice counts twice) and its last reader, as
    // `EpilogueFusion.find` counts them; the parameters' readers listed.
    var reads = [Int](repeating: 0, count: nodes.count)
    var lastReader = [Int](repeating: -1, count: nodes.count)
    var readers: [Int: [Int]] = [:]
    for (index, node) in nodes.enumerated() {
      for input in node.inputs {
        reads[input.index] += 1
        if updated[input.index] && lastReader[input.index] != index {
          readers[input.index, default: []].append(index)
        }
        lastReader[input.index] = index
      }
    }
    // How often each node is a root or kept: a gradient fused must be one exactly once.
    var pins = [Int](repeating: 0, count: nodes.count)
    graph.forEachRoot { pins[$0.index] += 1 }
    for node in kept { pins[node.index] += 1 }

    /// Where a reader of a parameter runs at the latest: a product read once, soon after, may
    /// run at its reader's place (`EpilogueFusion.find`'s conditions before its buffer check).
    func latestPlace(_ reader: Int) -> Int {
      let j = lastReader[reader]
      guard nodes[reader].op === Op.matmul, pins[reader] == 0, reads[reader] == 1,
        j - reader <= EpilogueFusion.reach
      else { return reader }
      return j
    }

    var found: [UpdateFusion] = []
    for (parameter, gradient) in updates.parameters {
      let (p, g) = (parameter.index, gradient.index)
      let node = nodes[g]
      guard node.op === Op.matmul, nodes[p].op.isLeaf, pins[g] == 1, reads[g] == 0,
        shapes[g].count == 2, shapes[g] == shapes[p], node.inputs.count == 2,
        node.inputs.allSatisfy({ shapes[$0.index].count == 2 && !updated[$0.index] })
      else { continue }
      let readersOfP = readers[p] ?? []
      let after = readersOfP.reduce(Swift.max(g, loss)) { Swift.max($0, latestPlace($1)) }
      found.append(
        UpdateFusion(
          product: g, parameter: p, after: after, readers: readersOfP,
          operands: node.inputs.map(\.index)))
    }
    return found.sorted { ($0.after, $0.product) < ($1.after, $1.product) }
  }
}

/// The instruction of a fused update: the gradient's product moving the parameter `theta`
/// (`ProductUpdate`), skipped when the loss this run computed is not finite (training then
/// stops before any other parameter moves).
func updateKernel<T: PlanScalar>(
  _ c: KernelCall<T>, moving theta: UnsafeMutablePointer<T>, by update: ProductUpdate<T>,
  unlessNotFinite loss: UnsafePointer<T>
) -> Instruction {
  let layout = Compute.MatMulLayout(
    a: c.inputShapes[0], b: c.inputShapes[1], transposeA: c.attributes.bool("transpose_a"),
    transposeB: c.attributes.bool("transpose_b"))
  let workspace = c.workspace
  workspace.reserve(layout.workspaceCount(T.self, updating: true))
  let (a, b) = (c.input(0), c.input(1))
  return {
    guard loss[0].isFinite else { return }
    Compute.matmul(a, b, theta, layout, workspace: workspace.base, update: update)
  }
}

/// Where a plan's fused updates run, and the check that the order is right, made as the plan
/// emits its instructions: each update is emitted right after the instruction of its `after`
/// node, and when it is, every reader of its parameter and the loss must have run, and no
/// instruction since its operands were computed may have written over them. A failed check is a
/// fault in this file or in `BufferPlan`, never in the user's program.
struct UpdateOrder {
  private let fusions: [UpdateFusion]
  private var byProduct: [Int: Int] = [:]
  private var prepared: [Instruction?]
  private var next = 0
  private let loss: Int
  private let bufferOf: [Int]
  /// Leaves and constants: values written before the run, in buffers of their own.
  private let isLeaf: [Bool]
  /// Whether each node has run (its instruction, or the fused instruction that computes it).
  private var ran: [Bool]
  /// Products that run at their reader's place (`EpilogueFusion`), by reader; and whether a
  /// node is one.
  private var carried: [Int: Int] = [:]
  private var moved: [Bool]
  /// The node whose value each buffer holds now.
  private var holder: [Int]

  init(_ graph: Graph, _ fusions: [UpdateFusion], buffers: BufferPlan) {
    self.fusions = fusions
    prepared = Array(repeating: nil, count: fusions.count)
    loss = graph.loss?.node.index ?? 0
    guard !fusions.isEmpty else {
      (bufferOf, isLeaf, ran, moved, holder) = ([], [], [], [], [])
      return
    }
    for (i, fusion) in fusions.enumerated() { byProduct[fusion.product] = i }
    bufferOf = buffers.bufferOfNode
    isLeaf = graph.nodes.map { $0.op.isLeaf || $0.constantValue != nil }
    ran = isLeaf
    moved = Array(repeating: false, count: graph.nodes.count)
    holder = Array(repeating: -1, count: buffers.capacities.count)
  }

  /// Whether `node` is a fused update's product (its instruction waits for `after`).
  func defers(_ node: Int) -> Bool { !fusions.isEmpty && byProduct[node] != nil }

  func fusion(_ node: Int) -> UpdateFusion { fusions[byProduct[node]!] }

  mutating func prepare(_ node: Int, _ instruction: @escaping Instruction) {
    prepared[byProduct[node]!] = instruction
  }

  /// `product` runs with its reader's instruction (`EpilogueFusion`), into the reader's buffer.
  mutating func runs(_ product: Int, at reader: Int) {
    guard !fusions.isEmpty else { return }
    carried[reader] = product
    moved[product] = true
  }

  /// After the plan emitted what node `node` runs: the updates due after it, to be emitted now.
  mutating func due(after node: Int) -> [(UpdateFusion, Instruction)] {
    guard !fusions.isEmpty else { return [] }
    if !isLeaf[node] && !moved[node] && byProduct[node] == nil {
      ran[node] = true
      holder[bufferOf[node]] = node
      if let product = carried[node] { ran[product] = true }
    }
    var out: [(UpdateFusion, Instruction)] = []
    while next < fusions.count && fusions[next].after == node {
      let fusion = fusions[next]
      precondition(
        fusion.readers.allSatisfy { ran[$0] } && ran[loss],
        "a fused update would run before a reader of its parameter or before the loss")
      precondition(
        fusion.operands.allSatisfy { isLeaf[$0] || holder[bufferOf[$0]] == $0 },
        "a fused update's operand was overwritten before the update")
      out.append((fusion, prepared[next]!))
      ran[fusion.product] = true
      next += 1
    }
    return out
  }

  /// The plan is not made after all (it throws): nothing more is emitted or checked.
  mutating func abandon() { next = fusions.count }

  /// Every fused update was emitted.
  func verify() {
    precondition(next == fusions.count, "a fused update was never emitted")
  }
}
