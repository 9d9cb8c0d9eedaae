import FFCIR
import FFCTestSupport
import Testing

/// Every differentiable op, on every configuration it lists, against central finite differences.
/// A new op is tested here as soon as it is added to the registry.
@Suite struct OpGradientTests {
  static let configurations: [(String, Int)] = OpRegistry.differentiable.flatMap { op in
    op.samples.indices.map { (op.name, $0) }
  }

  @Test(arguments: configurations)
  func derivativeRuleMatchesFiniteDifferences(opName: String, sampleIndex: Int) throws {
    let op = try #require(OpRegistry.byName[opName])
    let sample = op.samples[sampleIndex]
    for seed in [UInt64(0xFFC), 7, 42] {
      let outcome = try FiniteDifferences.check(op, sample, seed: seed)
      #expect(
        outcome.relativeError < 1e-6,
        "'\(op.name)' inputs \(sample.inputs) seed \(seed): \(outcome)")
    }
  }

  @Test(arguments: configurations)
  func optimizedGradientAgreesToo(opName: String, sampleIndex: Int) throws {
    let op = try #require(OpRegistry.byName[opName])
    let outcome = try FiniteDifferences.check(
      op, op.samples[sampleIndex], seed: 0xFFC, optimize: true)
    #expect(outcome.relativeError < 1e-6, "'\(op.name)' optimized: \(outcome)")
  }
}

/// Every differentiable op's forward-mode rule, on every configuration it lists, against central
/// finite differences (the tangent along a random direction on every non-label input).
@Suite struct OpForwardModeTests {
  @Test(arguments: OpGradientTests.configurations)
  func forwardModeRuleMatchesFiniteDifferences(opName: String, sampleIndex: Int) throws {
    let op = try #require(OpRegistry.byName[opName])
    let sample = op.samples[sampleIndex]
    for seed in [UInt64(0xFFC), 7, 42] {
      for optimize in [false, true] {
        let outcome = try FiniteDifferences.checkForwardMode(
          op, sample, seed: seed, optimize: optimize)
        #expect(
          outcome.relativeError < 1e-6,
          "'\(op.name)' inputs \(sample.inputs) seed \(seed) -O\(optimize ? 1 : 0): \(outcome)")
      }
    }
  }
}

@Suite struct OpRegistryTests {
  @Test func opNamesAreUnique() {
    let names = OpRegistry.all.map(\.name)
    #expect(Set(names).count == names.count)
  }

  @Test func spellingsAreUnique() {
    let spellings = OpRegistry.callable.map(\.spelling) + OpRegistry.composites.map(\.name)
    #expect(Set(spellings).count == spellings.count)
  }

  /// An op is differentiable (and sampled, so the property test covers it) or explicitly not:
  /// an execution-only op (`fused`) is made after differentiation and never differentiated, so the
  /// gradient tests skip it; its samples still run in the kernel-against-reference test.
  @Test func everyNonLeafOpIsDifferentiableAndSampled() {
    for op in OpRegistry.all where !op.isLeaf {
      #expect(
        op.vjp != nil || op.traits.contains(.executionOnly), "'\(op.name)' has no derivative rule")
      #expect(!op.samples.isEmpty, "'\(op.name)' lists no test configurations")
    }
  }

  /// Forward mode and reverse mode cover the same ops: a derivative rule in one mode without the
  /// other would make `jvp` fail where `grad` works, or the reverse. `custom_vjp` is the one
  /// exception: a stated derivative is for reverse mode only, and forward mode reports it.
  @Test func everyDifferentiableOpHasAForwardModeRule() {
    for op in OpRegistry.all where !op.isLeaf && op !== Op.customVJP {
      #expect((op.vjp != nil) == (op.jvp != nil), "'\(op.name)' has one derivative rule of two")
    }
  }

  /// An execution-only op has no derivative rule (nothing may ask for one) and no spelling.
  @Test func executionOnlyOpsAreNeitherDifferentiableNorCallable() {
    let executionOnly = OpRegistry.all.filter { $0.traits.contains(.executionOnly) }
    #expect(executionOnly.map(\.name) == ["fused"])
    for op in executionOnly {
      #expect(op.vjp == nil && op.call == nil, "'\(op.name)'")
    }
  }

  @Test func everySampleIsWellShaped() throws {
    for op in OpRegistry.all where !op.isLeaf {
      for sample in op.samples {
        #expect(throws: Never.self, "'\(op.name)' \(sample.inputs)") {
          _ = try op.inferShape(sample.inputs.map { Shape($0) }, sample.attributes)
        }
      }
    }
  }
}

/// The finite-difference check must catch a wrong rule: a test-only op whose derivative is off by a
/// factor of two.
@Suite struct GradientCheckSensitivityTests {
  static let wrongSquare = TestOps.wrongSquare

  @Test func aWrongDerivativeRuleIsCaught() throws {
    let outcome = try FiniteDifferences.check(
      Self.wrongSquare, Self.wrongSquare.samples[0], seed: 1)
    #expect(outcome.relativeError > 0.1)
  }
}
