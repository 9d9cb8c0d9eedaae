import FFCTensor

/// What a rewrite sees: the node being rebuilt (its op, attributes, shape and location) and its
/// inputs as values already in the new graph.
public struct RewriteContext {
  public let node: Node
  public let inputs: [Value]
  public let builder: GraphBuilder
  /// How many nodes and roots read each input in the graph being rewritten: a rule that absorbs
  /// an input into a new form only saves work when nothing else still needs the input.
  public let inputUses: [Int]

  public init(node: Node, inputs: [Value], builder: GraphBuilder, inputUses: [Int] = []) {
    self.node = node
    self.inputs = inputs
    self.builder = builder
    self.inputUses = inputUses
  }

  /// Whether input `index` is read by this node alone.
  public func isOnlyUse(_ index: Int) -> Bool { index < inputUses.count && inputUses[index] == 1 }

  public var attributes: Attributes { node.attributes }
  public var x: Value { inputs[0] }
}

/// A local rewrite owned by an op: a name (the identity itself, `x*1 -> x`, as the statistics print
/// it), a function that returns the replacement, or nil when the pattern does not match, and an
/// example program in which it fires. A rule must preserve the value wherever it fires, up to
/// rounding (conditions such as "x is finite" are part of the rule).
///
/// The example is what makes every rule tested: a test compiles each rule's example, requires the
/// rule to fire, and checks with `--check-rewrites` that the value did not change. A new rule
/// cannot be added without one.
public struct RewriteRule: Sendable {
  public let name: String
  public let phase: RewritePhase
  /// A `.ffn` program (its gradient included) in which this rule fires.
  public let example: String
  public let apply: @Sendable (RewriteContext) -> Value?

  public init(
    _ name: String, phase: RewritePhase = .simplify, example: String,
    _ apply: @escaping @Sendable (RewriteContext) -> Value?
  ) {
    self.name = name
    self.phase = phase
    self.example = example
    self.apply = apply
  }
}

/// When a rule runs. Stabilising rules rewrite the forward graph *before* Differentiate, so the
/// gradient is built from the stable form (log_softmax, softplus) rather than differentiating an
/// unstable expression and repairing it afterwards; simplifying rules run after it.
public enum RewritePhase: Sendable {
  case stabilize
  case simplify
}
