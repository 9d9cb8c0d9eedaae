import FFCTensor

/// Facts about an op that passes rely on.
public struct OpTraits: OptionSet, Sendable {
  // The traits are computed, inlinable constants, not stored statics: reading a stored static
  // from another module calls its lazy initialiser's accessor, and around that opaque call the
  // caller retained and released what it held (`op.isLeaf` at every node of every rebuild).
  public let rawValue: Int
  @inlinable public init(rawValue: Int) { self.rawValue = rawValue }

  /// Applied element by element; output shape equals the (common) input shape.
  @inlinable public static var elementwise: OpTraits { OpTraits(rawValue: 1 << 0) }
  /// `f(a, b) == f(b, a)`: CSE orders the operands.
  @inlinable public static var commutative: OpTraits { OpTraits(rawValue: 1 << 1) }
  /// A graph leaf: input, param or const.
  @inlinable public static var leaf: OpTraits { OpTraits(rawValue: 1 << 2) }
  /// Finite for every finite input (sigmoid, tanh, step...), so `0 * f(x)` may fold to 0.
  @inlinable public static var boundedOutput: OpTraits { OpTraits(rawValue: 1 << 3) }
  /// The value depends only on the input's shape (`size`), so it folds when the shape is known.
  @inlinable public static var shapeOnly: OpTraits { OpTraits(rawValue: 1 << 4) }
  /// Linear in its one operand (f(a) + f(b) = f(a + b)): negation, Σ, broadcast, reshape, transpose.
  @inlinable public static var linear: OpTraits { OpTraits(rawValue: 1 << 5) }
  /// Linear in each of its two operands (matmul, outer): f(a, w) + f(b, w) = f(a + b, w).
  @inlinable public static var bilinear: OpTraits { OpTraits(rawValue: 1 << 6) }
  /// The output has its one operand's shape though the op is not elementwise (softmax along an
  /// axis), so, like an elementwise op, it can be a `dense` layer's activation.
  @inlinable public static var keepsShape: OpTraits { OpTraits(rawValue: 1 << 7) }
  /// Made only by the passes that prepare a graph to run (`fused`), after any differentiation,
  /// so it needs no derivative rule and the language cannot call it.
  @inlinable public static var executionOnly: OpTraits { OpTraits(rawValue: 1 << 8) }
  /// The derivative is declared zero though the value changes with the operand
  /// (`stop_gradient`): finite differences disagree with it by design.
  @inlinable public static var stopsDerivative: OpTraits { OpTraits(rawValue: 1 << 9) }
  /// The derivative is the one a function states (`custom_vjp`), not the op's own: finite
  /// differences agree with it only when it is declared exact.
  @inlinable public static var statedDerivative: OpTraits { OpTraits(rawValue: 1 << 10) }
}

/// Where the gradient property tests draw an input: inside the op's domain and away from kinks.
public enum SampleDomain: Sendable, Equatable {
  case any
  case positive
  /// Away from 0 and from ±1, where relu, abs and hard_tanh have kinks.
  case awayFromKinks
  /// Whole numbers in 0..<classes: class labels.
  case classIndex(Int)
}

/// One configuration the op is tested on: concrete input shapes, attributes, domains.
public struct OpSample: Sendable {
  public let inputs: [[Int]]
  public let attributes: Attributes
  public let domains: [SampleDomain]

  public init(_ inputs: [[Int]], _ attributes: Attributes = .none, domains: [SampleDomain] = []) {
    self.inputs = inputs
    self.attributes = attributes
    self.domains = domains
  }

  public func domain(of input: Int) -> SampleDomain {
    input < domains.count ? domains[input] : (domains.last ?? .any)
  }
}

/// The context a derivative rule gets: the incoming cotangent `g`, the op's inputs and output as
/// values in the graph being built, and the node's attributes.
public struct VJPContext {
  public let g: Value
  public let inputs: [Value]
  public let output: Value
  public let attributes: Attributes
  public var builder: GraphBuilder { g.builder }

  public init(g: Value, inputs: [Value], output: Value, attributes: Attributes) {
    self.g = g
    self.inputs = inputs
    self.output = output
    self.attributes = attributes
  }
  public var x: Value { inputs[0] }
  public var y: Value { output }
}

/// Returns one cotangent per input; nil means no gradient flows to that input (a symbolic zero).
public typealias VJPRule = @Sendable (VJPContext) -> [Value?]

/// The context a forward-mode rule gets: the tangents of the op's inputs (nil: zero), the inputs
/// and output as values in the graph being built, the node's attributes and its op.
public struct JVPContext {
  public let tangents: [Value?]
  public let inputs: [Value]
  public let output: Value
  public let attributes: Attributes
  public let op: Op
  public var builder: GraphBuilder { output.builder }

  public init(tangents: [Value?], inputs: [Value], output: Value, attributes: Attributes, op: Op) {
    self.tangents = tangents
    self.inputs = inputs
    self.output = output
    self.attributes = attributes
    self.op = op
  }
  public var x: Value { inputs[0] }
  public var y: Value { output }

  /// The context the op's reverse-mode rule would get with the cotangent `g`.
  public func reverse(g: Value) -> VJPContext {
    VJPContext(g: g, inputs: inputs, output: output, attributes: attributes)
  }
}

/// Returns the tangent of the output from the tangents of the inputs; nil means zero.
public typealias JVPRule = @Sendable (JVPContext) -> Value?

/// Which operand of a node holds class labels and how many classes there are (`one_hot`'s
/// `classes`, the logits' last axis of `softmax_cross_entropy`): data loading checks labels
/// against it before they reach the op.
public typealias ClassLabelRule =
  @Sendable (_ inputs: [Shape], _ attributes: Attributes) -> (operand: Int, classes: Int)?

/// For each matrix operand of a node that meets the data (looked through a transpose): the
/// operand and its axis that counts inputs, 1 for `W @ x` and 0 for `X @ W`.
public typealias FanInRule = @Sendable (_ node: Node, _ graph: Graph) -> [(NodeID, axis: Int)]

/// The FLOPs of one node from its operands' and output's concrete shapes and its attributes.
public typealias FLOPRule =
  @Sendable (_ inputs: [[Int]], _ output: [Int], _ attributes: Attributes) -> Double

public typealias ShapeRule = @Sendable (_ inputs: [Shape], _ attributes: Attributes) throws -> Shape

/// Evaluates on concrete tensors; `outputShape` is the node's shape with symbols bound.
public typealias EvaluateRule =
  @Sendable (_ inputs: [Tensor], _ attributes: Attributes, _ outputShape: [Int]) -> Tensor

/// The one place an op is defined: its name (the same string in the language, the printers, the
/// diagnostics and the statistics), shape rule, evaluation, derivative rule, its own rewrites, how
/// the language calls it, and where its tests sample. Adding an op means writing one of these.
public final class Op: Sendable, CustomStringConvertible {
  public let name: String
  public let arity: Int
  public let traits: OpTraits
  public let inferShape: ShapeRule
  public let evaluate: EvaluateRule
  /// nil: not differentiable (an error if a gradient must pass through it).
  public let vjp: VJPRule?
  /// The forward-mode rule (`jvp`): the output's tangent along the inputs' tangents. Every op
  /// with a `vjp` has one (OpFactsTests holds them to it); nil for the others.
  public let jvp: JVPRule?
  public let rewrites: [RewriteRule]
  /// How the .ffn language calls this op; nil for ops only passes create.
  public let call: CallSignature?
  public let samples: [OpSample]
  /// Attributes the printers show on the operands instead of in brackets: key -> (operand, suffix),
  /// so `matmul` with transpose_a prints as `matmul %W.T, %g`.
  public let operandMarks: [String: (operand: Int, suffix: String)]
  public let classLabels: ClassLabelRule?
  /// For elementwise ops: the scalar function they apply, from which the runtime derives their
  /// kernel and the loop a `fused` node applies to its blocks. nil: the fusion pass leaves the op
  /// alone (how any op runs is the runtime's business, in its kernel table).
  public let scalarFunction: ElementwiseFunction?
  /// The output's range from the inputs' (what the lint knows of values); nil: unknown.
  public let range: RangeRule?
  /// A tighter range when the operands are related values (x · x, z − max(z)); nil: none.
  public let relatedRange: RelatedRangeRule?
  /// For a loss that scores logits against labels: where they are and how a prediction is read.
  public let classification: ClassificationLoss?
  /// The initialiser of a `dense` layer's weights when this op is its activation (He for the
  /// relu family, which zeroes half its inputs); nil: Glorot.
  public let denseInitializer: Initializer?
  /// The fan-in axis of each weight matrix a node of this op multiplies (what He and Glorot
  /// scale by); nil: the op sets no fan-in.
  public let fanIn: FanInRule?
  /// The floating-point operations a node of this op does per run, as benchmarks count them
  /// (2·m·k·n for a matrix product); nil: not counted (elementwise ops, reductions and layout
  /// ops are bound by memory, not arithmetic).
  public let flops: FLOPRule?
  /// How the language writes the op between its operands (`+`, `@`); nil: only as a call.
  public let infix: InfixSpelling?
  /// The unstable pattern a node of this op forms given its operands' ranges (`log` of a value
  /// that can be 0); nil: the op forms none.
  public let lint: LintRule?

  public init(
    name: String, arity: Int, traits: OpTraits = [], inferShape: @escaping ShapeRule,
    evaluate: @escaping EvaluateRule, vjp: VJPRule?, jvp: JVPRule? = nil,
    rewrites: [RewriteRule] = [],
    call: CallSignature? = nil, samples: [OpSample] = [],
    operandMarks: [String: (operand: Int, suffix: String)] = [:],
    classLabels: ClassLabelRule? = nil,
    scalarFunction: ElementwiseFunction? = nil, range: RangeRule? = nil,
    lint: LintRule? = nil,
    relatedRange: RelatedRangeRule? = nil,
    classification: ClassificationLoss? = nil,
    denseInitializer: Initializer? = nil,
    fanIn: FanInRule? = nil,
    flops: FLOPRule? = nil,
    infix: InfixSpelling? = nil
  ) {
    self.name = name
    self.arity = arity
    self.traits = traits
    self.inferShape = inferShape
    self.evaluate = evaluate
    self.vjp = vjp
    self.jvp = jvp
    self.rewrites = rewrites
    self.call = call
    self.samples = samples
    self.operandMarks = operandMarks
    self.classLabels = classLabels
    self.scalarFunction = scalarFunction
    self.range = range
    self.lint = lint
    self.relatedRange = relatedRange
    self.classification = classification
    self.denseInitializer = denseInitializer
    self.fanIn = fanIn
    self.flops = flops
    self.infix = infix
  }

  /// `arity` of an op that takes any number of operands (`fused`).
  public static let variadic = -1

  public func accepts(operandCount: Int) -> Bool {
    isLeaf || arity == Op.variadic || operandCount == arity
  }

  public var description: String { name }
  @inlinable public var isLeaf: Bool { traits.contains(.leaf) }
  @inlinable public var isElementwise: Bool { traits.contains(.elementwise) }
}
