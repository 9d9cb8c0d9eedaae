import FFCIR

/// Applies local rules in one rebuild of the graph: for each node, the first rule that matches
/// replaces it. Every firing is counted and recorded, and a rule that builds an ill-shaped node
/// or changes the shape is an internal error naming it. With a `memo`, a node where nothing the
/// rules read changed since the memo's run is not tried again (`RewriteMemo`).
public enum RewriteEngine {
  public static func run(
    _ graph: Graph, pass: String, _ context: inout PassContext, rules: (Node) -> [RewriteRule]
  ) throws(PassFailure) -> Graph {
    try run(graph, pass: pass, &context, memo: nil, rules: rules)
  }

  static func run(
    _ graph: Graph, pass: String, _ context: inout PassContext, memo: RewriteMemo?,
    rules: (Node) -> [RewriteRule]
  ) throws(PassFailure) -> Graph {
    if let memo, memo.firedNothing(on: graph) { return graph }
    let uses = liveUses(graph)
    let seen = memo?.take()
    let counterparts = RewriteMemo.counterparts(graph, since: seen)
    let state = State(graph)
    let quietPrefix = seen.map { state.skipQuietPrefix(graph, counterparts, uses, $0) } ?? 0
    let result: Graph
    let map: [NodeID]
    do {
      (result, map) = try graph.rebuiltMapping(unchangedBefore: quietPrefix) {
        index, node, inputs, builder in
        if let seen,
          RewriteMemo.isQuiet(
            index, node, counterparts: counterparts, kept: state.kept, uses: uses, seen: seen)
        {
          (state.quiet[index], state.kept[index]) = (true, true)
          state.skipped += 1
          return nil
        }
        guard let replacement = try rewrite(index, node, inputs, builder) else {
          state.quiet[index] = true
          state.kept[index] = node.inputs.allSatisfy { state.kept[$0.index] }
          return nil
        }
        state.made.append(replacement)
        return replacement
      }
    } catch let failure as PassFailure {
      throw failure
    } catch {
      throw .internal(pass: pass, message: "\(error)")
    }
    let (quiet, made, skipped, fired, events) = (
      state.quiet, state.made, state.skipped, state.fired, state.events
    )
    memo?.store(
      RewriteMemo.record(
        input: graph, uses: uses, made: result, map: map, quiet: quiet, fired: made),
      skipped: skipped, unchanged: made.isEmpty && result.isIdentical(to: graph) ? graph : nil)
    for (key, n) in fired.sorted(by: { $0.key < $1.key }) { context.count(key, by: n) }
    for event in events { context.record(event) }
    return result

    /// The first rule that matches the node, applied (nil when none does).
    func rewrite(_ index: Int, _ node: Node, _ inputs: [NodeID], _ builder: GraphBuilder)
      throws(PassFailure) -> NodeID?
    {
      let candidates = rules(node)
      guard !candidates.isEmpty else { return nil }
      state.load(inputs, uses: node.inputs, of: uses, builder)
      let rewrite = RewriteContext(
        node: node, inputs: state.operandValues, builder: builder, inputUses: state.operandUses)
      // By index: a rule copied out per node tried (its name, example and closure) was a
      // third of what trying the rules cost.
      for position in candidates.indices {
        guard let replacement = candidates[position].apply(rewrite) else { continue }
        let rule = candidates[position]
        let replacementID: NodeID
        do throws(ShapeError) {
          replacementID = try replacement.nodeID
        } catch {
          throw PassFailure.internal(
            pass: pass,
            message: "rule '\(rule.name)' built an ill-shaped node: \(error.message)")
        }
        guard replacement.shape == node.shape else {
          throw PassFailure.internal(
            pass: pass,
            message: "rule '\(rule.name)' changed shape \(node.shape) to \(replacement.shape)")
        }
        // A rule that rebuilt the very node it matched changed nothing: not a firing (else a
        // fixed point would run to its budget).
        let rebuilt = replacement.node
        if rebuilt.op === node.op && rebuilt.inputs == inputs
          && rebuilt.attributes == node.attributes
        {
          return nil
        }
        state.fired[rule.name, default: 0] += 1
        state.events.append(
          RewriteEvent(
            pass: pass, rule: rule.name, location: node.location,
            before: describe(node.op, rewrite.inputs, builder),
            after: replacement.node.name.map { "%" + $0 }
              ?? describe(replacement.op, replacement.node.inputs.map(builder.value), builder),
            original: NodeID(index),
            replacement: replacementID))
        return replacementID
      }
      return nil
    }
  }

  /// What a run records while the graph is rebuilt, in one object the rebuild's closure shares
  /// (local variables captured by it and by `rewrite` were checked for exclusive access at every
  /// use, a tenth of what trying the rules cost). Per node of the graph: no rule fired at it
  /// (`quiet`), and neither at it nor below it (`kept`: the rebuild made an equal node of it,
  /// renumbered when a rule before it added or removed nodes); the nodes
  /// rules made; the firings. The operands and reader counts of the node being tried are one pair
  /// of arrays for every node (a rule's context lives only while the node is tried, so they are
  /// unique again after it).
  final class State {
    @exclusivity(unchecked) var quiet: [Bool]
    @exclusivity(unchecked) var kept: [Bool]
    @exclusivity(unchecked) var made: [NodeID] = []
    @exclusivity(unchecked) var skipped = 0
    @exclusivity(unchecked) var fired: [String: Int] = [:]
    @exclusivity(unchecked) var events: [RewriteEvent] = []
    @exclusivity(unchecked) var operandValues: [Value] = []
    @exclusivity(unchecked) var operandUses: [Int] = []

    init(_ graph: Graph) {
      // A closure, not a key path: the key path was applied through the runtime at every node.
      quiet = graph.nodes.map { $0.op.isLeaf }
      kept = quiet
    }

    /// Marks the nodes before the first one the memo cannot skip (`RewriteMemo.isQuiet`) as
    /// skipped, as the rebuild's visits would, and returns that node's index: the rebuild takes
    /// the nodes before it as they are, without a visit each (the nodes below a fixed point's
    /// change, half of a gradient graph in every round after the first).
    func skipQuietPrefix(
      _ graph: Graph, _ counterparts: [Int], _ uses: [Int], _ seen: RewriteMemo.Seen
    ) -> Int {
      var index = 0
      while index < graph.nodes.count {
        if !graph.nodes[index].op.isLeaf {
          guard
            RewriteMemo.isQuiet(
              index, graph.nodes[index], counterparts: counterparts, kept: kept, uses: uses,
              seen: seen)
          else { break }
          (quiet[index], kept[index]) = (true, true)
          skipped += 1
        }
        index += 1
      }
      return index
    }

    /// Sets the operands (`inputs`, nodes of the builder) and the reader counts of the node's
    /// operands in the graph (`operands`), overwriting the arrays in place (emptying them first
    /// went through the generic `replaceSubrange`, a tenth of what trying the rules cost).
    func load(_ inputs: [NodeID], uses operands: [NodeID], of uses: [Int], _ builder: GraphBuilder)
    {
      // The length is fitted one element at a time: making new arrays whenever the count
      // differed from the last node's (a unary op after a binary one) was most of this.
      while operandValues.count > inputs.count {
        operandValues.removeLast()
        operandUses.removeLast()
      }
      for position in inputs.indices {
        let (value, use) = (builder.value(inputs[position]), uses[operands[position].index])
        if position < operandValues.count {
          operandValues[position] = value
          operandUses[position] = use
        } else {
          operandValues.append(value)
          operandUses.append(use)
        }
      }
    }
  }

  /// The rules of each op a run meets, made once per op (`make`) and found by the op's identity
  /// in a short list: a graph uses a few dozen ops, and a dictionary would hash the identity with
  /// SipHash at every node. The identities are kept apart from the rules, so that the search
  /// copies nothing it must retain (a list of (op, rules) pairs retained both per entry passed).
  struct RulesByOp {
    private var ops: [ObjectIdentifier] = []
    private var rules: [[RewriteRule]] = []
    private let make: (Op) -> [RewriteRule]

    init(_ make: @escaping (Op) -> [RewriteRule]) { self.make = make }

    mutating func rules(of op: Op) -> [RewriteRule] {
      let id = ObjectIdentifier(op)
      for index in ops.indices where ops[index] == id { return rules[index] }
      let made = make(op)
      ops.append(id)
      rules.append(made)
      return made
    }
  }

  /// How many live nodes and roots read each node. Dead readers (a derivative Differentiate built
  /// for a constant operand, say, which DCE removes later) do not count, or they would keep a rule
  /// that needs an input to itself from firing.
  static func liveUses(_ graph: Graph) -> [Int] {
    // One walk from the last node back: a node's readers all come after it, so whether it is
    // live is known when the walk reaches it (as `Graph.liveNodes` finds it).
    var live = [Bool](repeating: false, count: graph.nodes.count)
    var uses = [Int](repeating: 0, count: graph.nodes.count)
    graph.forEachRoot {
      live[$0.index] = true
      uses[$0.index] += 1
    }
    // Through the arrays' buffers: written through the arrays, each write checked that the
    // array was not shared, at every operand of every node. Safe: every operand of a node is a
    // node before it (verified after every pass), so every index is in the buffers.
    live.withUnsafeMutableBufferPointer { live in
      uses.withUnsafeMutableBufferPointer { uses in
        graph.nodes.withUnsafeBufferPointer { nodes in
          for index in nodes.indices.reversed() where live[index] {
            for input in nodes[index].inputs {
              live[input.index] = true
              uses[input.index] += 1
            }
          }
        }
      }
    }
    return uses
  }

  /// `log(softmax(%o))`: the op applied to its operands, shown three levels deep (a fixed depth:
  /// operands below that print as `…`).
  static func describe(_ op: Op, _ operands: [Value], _ builder: GraphBuilder, depth: Int = 3)
    -> String
  {
    let shown = operands.map { value -> String in
      if let constant = value.node.constantValue, constant.isScalar {
        return TensorFormat.number(constant.scalars[0])
      }
      if let name = value.node.name { return "%" + name }
      if depth <= 1 { return value.op.name + "(…)" }
      return describe(value.op, value.node.inputs.map(builder.value), builder, depth: depth - 1)
    }
    return op.name + "(" + shown.joined(separator: ", ") + ")"
  }
}
