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
  /// some (the logits training reads to count correct predictions). `lateReads`: values read
  /// just after a later node runs (the operands of a fused update, `UpdateFusion`), whose
  /// buffers that node may not take either.
  public init(
    _ graph: Graph, counts: [Int], inPlace: [Bool], keepAll: Bool, keep: [NodeID] = [],
    lateReads: [(node: Int, after: Int)] = []
  ) {
    let nodeCount = graph.nodes.count
    var lastUse = [Int](repeating: -1, count: nodeCount)
    for (index, node) in graph.nodes.enumerated() {
      for input in node.inputs { lastUse[input.index] = index }
    }
    // A value read late dies after the node it is read after: released at that node, but never
    // its in-place donor.
    var lateUse = [Int](repeating: -1, count: nodeCount)
    var readLate: [Int: [Int]] = [:]
    for (node, after) in lateReads where after > lateUse[node] {
      lateUse[node] = after
    }
    for node in lateUse.indices where lateUse[node] >= lastUse[node] && lateUse[node] >= 0 {
      lastUse[node] = lateUse[node]
      readLate[lateUse[node], default: []].append(node)
    }
    var pinned = [Bool](repeating: keepAll, count: nodeCount)
    for root in graph.roots + keep { pinned[root.index] = true }
    for (index, node) in graph.nodes.enumerated() where node.op.isLeaf { pinned[index] = true }

    var capacities: [Int] = []
    var free = FreeBuffers()
    var buffers = [Int](repeating: -1, count: nodeCount)
    // Per node, no allocation: the inputs read for the last time (one array, refilled), and the
    // node that last released each buffer (a fused node may read thousands of values, so the
    // released buffers are deduplicated by mark, not by a search, keeping this linear).
    var dying: [Int] = []
    var releasedBy = [Int](repeating: -1, count: nodeCount)
    for (index, node) in graph.nodes.enumerated() {
      let count = Swift.max(1, counts[index])
      dying.removeAll(keepingCapacity: true)
      for input in node.inputs
      where lastUse[input.index] == index && lateUse[input.index] != index
        && !pinned[input.index]
      {
        dying.append(input.index)
      }
      if node.op.isLeaf {
        // Leaves are written before the run starts: a buffer an earlier node reuses would
        // overwrite them.
        buffers[index] = capacities.count
        capacities.append(count)
      } else if inPlace[index],
        let donor = Self.donor(graph, dying, fitting: count, capacities, buffers)
      {
        buffers[index] = buffers[donor]
      } else if let best = free.take(fitting: count) {
        buffers[index] = best
      } else {
        buffers[index] = capacities.count
        capacities.append(count)
      }
      // The inputs read for the last time, then the values read late at this node (`lateReads`).
      if let late = readLate[index] {
        for input in late where !pinned[input] { dying.append(input) }
      }
      for input in dying
      where buffers[input] != buffers[index] && releasedBy[buffers[input]] != index {
        releasedBy[buffers[input]] = index
        free.add(buffers[input], capacity: capacities[buffers[input]])
      }
      if lastUse[index] < 0 && !pinned[index] {
        free.add(buffers[index], capacity: capacities[buffers[index]])
      }
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

  /// The input whose buffer an in-place node takes: a matrix product if one fits (the product
  /// can then write the node's value into its own buffer, `EpilogueFusion`, and never over
  /// another operand the node reads), else the first that fits.
  static func donor(
    _ graph: Graph, _ dying: [Int], fitting count: Int, _ capacities: [Int], _ buffers: [Int]
  ) -> Int? {
    var first: Int?
    for input in dying where capacities[buffers[input]] >= count {
      if graph.nodes[input].op === Op.matmul { return input }
      if first == nil { first = input }
    }
    return first
  }
}

/// The free buffers of a `BufferPlan`: best fit takes, of the smallest capacity that fits, the
/// buffer freed first. Kept by capacity so that a long program, with many values free at once,
/// does not scan them all for every value (which made planning quadratic in the program's length).
private struct FreeBuffers {
  /// The capacities that have free buffers, ascending.
  private var sizes: [Int] = []
  /// The free buffers of each capacity (`queues[i]` for `sizes[i]`) in the order they were
  /// freed, from `heads[i]` on.
  private var queues: [[Int]] = []
  private var heads: [Int] = []

  mutating func add(_ buffer: Int, capacity: Int) {
    let position = firstSize(atLeast: capacity)
    if position < sizes.count && sizes[position] == capacity {
      queues[position].append(buffer)
    } else {
      sizes.insert(capacity, at: position)
      queues.insert([buffer], at: position)
      heads.insert(0, at: position)
    }
  }

  /// The chosen buffer of capacity `count` or more, removed from the free ones; nil when none fits.
  mutating func take(fitting count: Int) -> Int? {
    let position = firstSize(atLeast: count)
    guard position < sizes.count else { return nil }
    let buffer = queues[position][heads[position]]
    heads[position] += 1
    if heads[position] == queues[position].count {
      sizes.remove(at: position)
      queues.remove(at: position)
      heads.remove(at: position)
    }
    return buffer
  }

  /// The index in `sizes` of the first capacity >= `count` (binary search).
  private func firstSize(atLeast count: Int) -> Int {
    var low = 0
    var high = sizes.count
    while low < high {
      let mid = (low + high) / 2
      if sizes[mid] < count { low = mid + 1 } else { high = mid }
    }
    return low
  }
}
