import FFCIR
import Testing

@testable import FFCFrontend

/// The save's fast check reads each literal back from the bytes the layout wrote: it accepts the
/// layout of every rank and precision, and refuses a literal that differs from the value in any
/// number, in its shape or in its punctuation (the full read-back then decides).
@Suite struct LiteralReadBackTests {
  static func written(_ value: Tensor, _ precision: Precision, column: Int = 12) -> [UInt8] {
    var bytes: [UInt8] = []
    LiteralLayout.write(
      value, column: column, lead: Array(repeating: UInt8(ascii: " "), count: column),
      newline: Array("\n".utf8), precision: precision, into: &bytes)
    return bytes
  }

  static let values: [Tensor] = [
    Tensor(-0.0),
    Tensor(shape: [3], scalars: [1, -2.5, 1e-300]),
    Tensor(shape: [40], scalars: (0..<40).map { Double($0) * -0.0123456789 }),
    Tensor(shape: [3, 25], scalars: (0..<75).map { 1 / Double($0 + 1) }),
    Tensor(shape: [2, 3, 4], scalars: (0..<24).map { Double($0) - 11.5 }),
  ]

  @Test(arguments: [Precision.f32, .f64])
  func theLayoutReadsBackAsItsValue(precision: Precision) {
    for value in Self.values {
      let stored =
        precision == .f32
        ? Tensor(shape: value.shape, scalars: value.scalars.map { Double(Float($0)) })
        : value
      let bytes = Self.written(stored, precision)
      #expect(
        LiteralReadBack.matches(bytes[...], stored, precision: precision),
        "\(String(decoding: bytes, as: UTF8.self))")
    }
  }

  @Test func anyDifferenceIsRefused() {
    let value = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    let bytes = Self.written(value, .f64)
    #expect(LiteralReadBack.matches(bytes[...], value, precision: .f64))
    let others = [
      Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 7]),
      Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6]),
      Tensor(shape: [6], scalars: [1, 2, 3, 4, 5, 6]),
    ]
    for other in others { #expect(!LiteralReadBack.matches(bytes[...], other, precision: .f64)) }
    let damaged = [
      "[[1, 2, 3], [4, 5]]", "[[1, 2, 3] [4, 5, 6]]", "[[1, 2, 3], [4, 5, 6]",
      "[[1, 2,, 3], [4, 5, 6]]",
      "[[1, 2, 3], [4, 5, 6]],", "[[1, 2, 3], [4, 5, x]]", "[[1, 2, 3], [4, 5, 6]] [1]",
      "[[1, 2, 3], [4, 5, 6e]]", "[[-1, 2, 3], [4, 5, 6]]",
    ]
    for text in damaged {
      #expect(!LiteralReadBack.matches(Array(text.utf8)[...], value, precision: .f64), "\(text)")
    }
    // -0 and 0 are different values, as the parser reads them.
    #expect(!LiteralReadBack.matches(Array("-0".utf8)[...], Tensor(0), precision: .f64))
    #expect(LiteralReadBack.matches(Array("-0".utf8)[...], Tensor(-0.0), precision: .f64))
  }

  /// A save takes the fast path (the program around the literals lowered with scalars) for a
  /// declared parameter and a dense layer's options, and its text is what the full check reads.
  @Test func aSaveTakesTheQuickCheck() throws {
    let source = SourceFile(
      path: "q.ffn",
      text: "input x[N, 3]\nparam W[3, 2] = glorot\nh = dense(x @ W, 4)\nloss L = sum(h)\n")
    let lowered = Frontend.lower(source)
    let graph = try #require(lowered.graph)
    let values = graph.declarations.indices.filter { graph.declarations[$0].kind == .param }
      .map { index in
        let shape = graph.declarations[index].shape.concrete ?? []
        let count = shape.reduce(1, *)
        return (
          declaration: index,
          value: Tensor(shape: shape, scalars: (0..<count).map { Double($0) / 7 })
        )
      }
    #expect(values.count == 3)
    let held = ProgramWriter.held(values, graph.declarations)
    let edits = try SaveEdit.plan(
      held, graph.declarations, lowered.valueSites.byDeclaration, precision: .f64)
    let written = ProgramWriter.apply(edits, to: source.text, precision: .f64, note: "n")
    #expect(
      ProgramWriter.quickCheck(written, edits, path: "q.ffn", values: held, precision: .f64))
  }
}
