import FFCIR
import Foundation

/// What a run of the rewrite engine saw, so that its next run on the graph it made (the fixed
/// point's next round, after folding and CSE) tries the rules only where something changed: the
/// rounds after the first then cost a walk of the graph, not every rule on every node.
///
/// A rule's verdict depends only on what it reads: the node (op, attributes, shape), the operands
/// below it as the rebuild maps them, and how many readers each operand has. A node is skipped
/// when all of that is provably what the last run saw at a node where no rule fired: the node and
/// every node below it equal nodes of the graph that run made (`Graph.correspondence`: the very
/// nodes, or copies renumbered by a rebuild that added or removed nodes before them), no rule
/// fired so far at an operand or below it (the rebuild made equal copies of them, renumbered or
/// not), and their reader counts are the same. So the rules that fire, their order and the counts
/// are those of a full run. (Node numbers do not matter: no rule reads them, and a renumbering
/// keeps their order.)
final class RewriteMemo: @unchecked Sendable {
  /// The graph the last run made (retained, so that its nodes' identities stay valid), and for
  /// each of its nodes the node of the run's input that no rule changed and that became it (-1
  /// when a rule made it, or more than one node did).
  struct Seen {
    let made: Graph
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

  /// For each node of `graph`, the node of the graph the last run made that it equals, with every
  /// node below it, up to renumbering (-1: none, or no last run).
  static func counterparts(_ graph: Graph, since seen: Seen?) -> [Int] {
    guard let seen else { return [Int](repeating: -1, count: graph.nodes.count) }
    return graph.correspondence(to: seen.made)
  }

  /// Whether the node at `index` of `graph` may be skipped: equal (`counterparts`) to a node the
  /// last run made where no rule fired, its operands unchanged by this run (`kept`: no rule fired
  /// at the operand nor below it) and read as often as then.
  static func isQuiet(
    _ index: Int, _ node: Node, counterparts: [Int], kept: [Bool], uses: [Int], seen: Seen
  ) -> Bool {
    let counterpart = counterparts[index]
    guard counterpart >= 0 else { return false }
    let origin = seen.quietOrigin[counterpart]
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
    return Seen(made: made, quietOrigin: origin, input: input.nodes, uses: uses)
  }
}
