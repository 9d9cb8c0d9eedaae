import FFCIR
import Foundation

/// What a run of the rewrite engine saw, so that its next run on the graph it made (the fixed
/// point's next round, after folding and CSE) tries the rules only where something changed: the
/// rounds after the first then cost a walk of the graph, not every rule on every node.
///
/// A rule's verdict depends only on what it reads: the node (op, attributes, shape), the operands
/// below it as the rebuild maps them, and how many readers each operand has. A node is skipped
/// when all of that is provably what the last run saw at a node where no rule fired: the node and
/// every node below it are the very nodes (`Node.isCopy`, at the same index) of the graph that run
/// made, the rebuild so far kept the operands where they were, and their reader counts are the
/// same. So the rules that fire, their order and the counts are those of a full run.
final class RewriteMemo: @unchecked Sendable {
  /// The graph the last run made (retained, so that its nodes' identities stay valid), and for
  /// each of its nodes the node of the run's input that no rule changed and that became it (-1
  /// when a rule made it, or more than one node did).
  struct Seen {
    let made: [Node]
    let quietOrigin: [Int]
    /// The run's input nodes and their reader counts, for the counts a skipped node's rules read.
    let input: [Node]
    let uses: [Int]
  }

  private let lock = NSLock()
  private var seen: Seen?
  /// The graph the last run was given, when no rule fired in it (retained, so that its storage
  /// cannot be reused by another graph): a run given that very graph again would fire nothing.
  private var unchanged: Graph?
  /// How many nodes the last run skipped (for tests).
  private(set) var skipped = 0

  init() {}

  func take() -> Seen? { lock.withLock { seen } }
  func store(_ new: Seen, skipped: Int, unchanged: Graph?) {
    lock.withLock { (seen, self.skipped, self.unchanged) = (new, skipped, unchanged) }
  }

  /// Whether the last run was given this very graph and no rule fired: the rules would see the
  /// same nodes and reader counts again, so they would fire nothing again (the fixed point's last
  /// round, which only confirms that nothing changes). Every node counts as skipped.
  func firedNothing(on graph: Graph) -> Bool {
    lock.withLock {
      guard let unchanged, unchanged.isIdentical(to: graph) else { return false }
      skipped = graph.nodes.count
      return true
    }
  }

  /// Which nodes of `graph` are, with every node below them, the very nodes at the same indices
  /// of the graph the last run made.
  static func unchanged(_ graph: Graph, since seen: Seen?) -> [Bool] {
    var same = [Bool](repeating: false, count: graph.nodes.count)
    guard let seen else { return same }
    for index in graph.nodes.indices where index < seen.made.count {
      let node = graph.nodes[index]
      same[index] = node.isCopy(of: seen.made[index]) && node.inputs.allSatisfy { same[$0.index] }
    }
    return same
  }

  /// Whether the node at `index` of `graph` may be skipped: unchanged since a run in which no rule
  /// fired at it, its operands kept in place (`inputs`, as the rebuild maps them; `kept`: no rule
  /// fired at the operand nor below it) and read as often as then.
  static func isQuiet(
    _ index: Int, _ node: Node, inputs: [NodeID], unchanged: [Bool], kept: [Bool], uses: [Int],
    seen: Seen
  ) -> Bool {
    guard unchanged[index], inputs == node.inputs else { return false }
    let origin = seen.quietOrigin[index]
    guard origin >= 0 else { return false }
    let before = seen.input[origin].inputs
    for (operand, old) in zip(node.inputs, before) {
      guard kept[operand.index], uses[operand.index] == seen.uses[old.index] else { return false }
    }
    return true
  }

  /// The record of a run: `quiet` marks the input's nodes where no rule fired (`map`: where each
  /// went), `fired` the nodes rules made.
  static func record(
    input: Graph, uses: [Int], made: Graph, map: [NodeID], quiet: [Bool], fired: [NodeID]
  ) -> Seen {
    var origin = [Int](repeating: -1, count: made.nodes.count)
    var taken = [Bool](repeating: false, count: made.nodes.count)
    for index in input.nodes.indices where quiet[index] {
      let target = map[index].index
      origin[target] = taken[target] ? -1 : index
      taken[target] = true
    }
    for target in fired { origin[target.index] = -1 }
    return Seen(made: made.nodes, quietOrigin: origin, input: input.nodes, uses: uses)
  }
}
