import FFCIR

/// Where every node's value lives: a buffer in one arena, shared over time by values whose
/// lifetimes do not overlap. Leaves (inputs, parameters, constants) and roots (outputs, loss,
/// gradients) keep their own buffers for the whole run; every other value's buffer goes back to a
/// free list after its last reader runs, and the next value takes the smallest free buffer that
/// fits. Elementwise ops whose kernels allow it write over an input they read for the last time.
public struct BufferPlan: Sendable {
  /// The buffer of each node.
  public let bufferOfNode: [Int]
  /// Each buffer's offset in the arena and its capacity, in elements.
  public let offsets: [Int]
  public let capacities: [Int]
  /// Elements in the arena: the peak number of elements live at once under this plan.
  public let arenaCount: Int
  /// Elements the values would need with no reuse at all.
  public let unsharedCount: Int

  /// Buffers of 16 elements or more start at a multiple of 16 elements (64 bytes in f32, a cache
  /// line), so kernels start their loops aligned; smaller ones are packed.
  static let alignment = 16

  /// `inPlace[i]`: node i's kernel may write over an input buffer. `keepAll` gives every node its
  /// own buffer (for `--trace`, which reads every named value after the run); `keep` does so for
  /// some (the logits training reads to count correct predictions).
  public init(_ graph: Graph, counts: [Int], inPlace: [Bool], keepAll: Bool, keep: [NodeID] = []) {
    let nodeCount = graph.nodes.count
    var lastUse = [Int](repeating: -1, count: nodeCount)
    for (index, node) in graph.nodes.enumerated() {
      for input in node.inputs { lastUse[input.index] = index }
    }
    var pinned = [Bool](repeating: keepAll, count: nodeCount)
    for root in graph.roots + keep { pinned[root.index] = true }
    for (index, node) in graph.nodes.enumerated() where node.op.isLeaf { pinned[index] = true }

    var capacities: [Int] = []
    var free: [Int] = []
    var buffers = [Int](repeating: -1, count: nodeCount)
    for (index, node) in graph.nodes.enumerated() {
      let count = Swift.max(1, counts[index])
      let dying = node.inputs.map(\.index).filter { lastUse[$0] == index && !pinned[$0] }
      if node.op.isLeaf {
        // Leaves are written before the run starts: a buffer an earlier node reuses would
        // overwrite them.
        buffers[index] = capacities.count
        capacities.append(count)
      } else if inPlace[index], let donor = dying.first(where: { capacities[buffers[$0]] >= count })
      {
        buffers[index] = buffers[donor]
      } else if let best = free.indices.filter({ capacities[free[$0]] >= count })
        .min(by: { capacities[free[$0]] < capacities[free[$1]] })
      {
        buffers[index] = free.remove(at: best)
      } else {
        buffers[index] = capacities.count
        capacities.append(count)
      }
      var released: [Int] = []
      for input in dying
      where buffers[input] != buffers[index] && !released.contains(buffers[input]) {
        released.append(buffers[input])
      }
      if lastUse[index] < 0 && !pinned[index] { released.append(buffers[index]) }
      free.append(contentsOf: released)
    }

    var offsets: [Int] = []
    var total = 0
    for capacity in capacities {
      if capacity >= Self.alignment {
        total = (total + Self.alignment - 1) / Self.alignment * Self.alignment
      }
      offsets.append(total)
      total += capacity
    }
    self.bufferOfNode = buffers
    self.offsets = offsets
    self.capacities = capacities
    self.arenaCount = total
    self.unsharedCount = counts.reduce(0) { $0 + Swift.max(1, $1) }
  }

  public func offset(ofNode index: Int) -> Int { offsets[bufferOfNode[index]] }
}
