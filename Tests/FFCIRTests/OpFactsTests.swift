import FFCIR
import FFCTensor
import Testing

/// What an op knows lives on the op, and these tests hold every registered op to it: a new op
/// that forgets a fact its kind needs (a range rule, a FLOP count, a fan-in) fails here, so adding
/// one row is enough and is checked.
@Suite struct OpFactsTests {
  /// Each sample's output shape, evaluated on all-ones operands.
  static func onesOutputs(_ op: Op) throws -> [(sample: OpSample, output: Tensor)] {
    try op.samples.map { sample in
      let shape = try op.inferShape(sample.inputs.map { Shape($0) }, sample.attributes)
      let ones = sample.inputs.map { Tensor(repeating: 1, shape: $0) }
      return (sample, op.evaluate(ones, sample.attributes, shape.concrete ?? []))
    }
  }

  /// The lint knows a value only through range rules: an elementwise op without one would make
  /// every value it touches unknown. (An op whose range is truly unknown says `.unknown`.)
  @Test func everyElementwiseOpHasARangeRule() {
    for op in OpRegistry.all where op.isElementwise {
      #expect(op.range != nil, "'\(op.name)' has no range rule")
    }
  }

  /// A bilinear op that sums products (matmul; not outer, which only multiplies) counts its FLOPs,
  /// 2 per product summed: on all-ones operands each output element is the number of products
  /// it summed. Other ops count none (they are bound by memory, not arithmetic).
  @Test func contractionsCountTheirFLOPsAndNothingElseDoes() throws {
    for op in OpRegistry.all where !op.isLeaf {
      for (sample, output) in try Self.onesOutputs(op) {
        let contracts = op.traits.contains(.bilinear) && output.scalars.contains { $0 > 1 }
        guard let flops = op.flops else {
          #expect(!contracts, "'\(op.name)' \(sample.inputs) sums products but counts no FLOPs")
          continue
        }
        #expect(op.traits.contains(.bilinear), "'\(op.name)' counts FLOPs but is not bilinear")
        let counted = flops(sample.inputs, output.shape, sample.attributes)
        let products = output.scalars.reduce(0, +)
        #expect(counted == 2 * products, "'\(op.name)' \(sample.inputs): \(counted) FLOPs")
      }
    }
  }

  /// An op that multiplies by a weight matrix (it counts FLOPs) says which axis of the weight is
  /// its fan-in, for He and Glorot initialisation.
  @Test func everyContractionSaysItsFanIn() {
    for op in OpRegistry.all where op.flops != nil {
      #expect(op.fanIn != nil, "'\(op.name)' has no fan-in rule")
    }
  }

  /// A lint rule warns when nothing is known of the operands (on the way to the loss) and is
  /// silent when they lie safely in [1, 2].
  @Test func lintRulesWarnOnUnknownOperandsOnly() {
    for op in OpRegistry.all {
      guard let lint = op.lint else { continue }
      let arity = max(op.arity, 1)
      let warning = lint(Array(repeating: .unknown, count: arity), true)
      #expect(warning?.id.hasPrefix("lint.") == true, "'\(op.name)' \(String(describing: warning))")
      #expect(lint(Array(repeating: ValueRange(1, 2), count: arity), true) == nil, "'\(op.name)'")
    }
  }

  /// A classification loss names operands it has; one whose labels are class indices reads them
  /// where its class-label rule says, so data loading checks the labels accuracy compares.
  @Test func classificationLossesNameTheirOperands() throws {
    for op in OpRegistry.all {
      guard let classification = op.classification else { continue }
      #expect(classification.logits < op.arity && classification.labels < op.arity, "'\(op.name)'")
      guard classification.prediction == .largestLogit else { continue }
      let labels = try #require(op.classLabels, "'\(op.name)' has no class-label rule")
      for sample in op.samples {
        let rule = labels(sample.inputs.map { Shape($0) }, sample.attributes)
        #expect(rule?.operand == classification.labels, "'\(op.name)' \(sample.inputs)")
      }
    }
  }

  /// Infix symbols spell binary ops, each symbol one op.
  @Test func infixSymbolsSpellBinaryOpsOnce() {
    let symbols = OpRegistry.infix.map(\.symbol)
    #expect(Set(symbols).count == symbols.count)
    for entry in OpRegistry.infix {
      #expect(entry.op.arity == 2, "'\(entry.symbol)' spells '\(entry.op.name)'")
    }
  }

  /// An op that keeps its operand's shape does, on every sample; an activation's initialiser
  /// belongs to an op that can be an activation (elementwise, or keeping its shape).
  @Test func shapeKeepingAndActivationFacts() throws {
    for op in OpRegistry.all where op.traits.contains(.keepsShape) {
      for (sample, output) in try Self.onesOutputs(op) {
        #expect(sample.inputs.count == 1 && output.shape == sample.inputs[0], "'\(op.name)'")
      }
    }
    for op in OpRegistry.all where op.denseInitializer != nil {
      #expect(op.isElementwise || op.traits.contains(.keepsShape), "'\(op.name)'")
      #expect(op.call?.tensorCount == 1, "'\(op.name)' is no activation")
    }
  }
}
