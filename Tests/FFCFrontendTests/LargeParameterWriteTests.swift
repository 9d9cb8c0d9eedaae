import FFCFrontend
import FFCIR
import FFCTestSupport
import Testing

/// A large parameter (issue 12: saving a 1024 × 1024 matrix used to take seconds per save and a
/// 33.5M-parameter model ran out of memory) is written in one pass and reads back exactly. Not
/// timed: the figures are in README's "Literal size".
@Suite struct LargeParameterWriteTests {
  /// Seeded values of every sign and magnitude, with -0 and whole numbers among them.
  static func values(_ count: Int, seed: UInt64) -> [Double] {
    var rng = SplitMix64(seed: seed)
    return (0..<count).map { (i: Int) -> Double in
      if i % 97 == 0 { return -0.0 }
      if i % 89 == 0 { return Double(i) }
      return rng.normal() * 1e-2
    }
  }

  @Test(arguments: [Precision.f32, .f64])
  func aLargeMatrixReadsBackExactly(precision: Precision) throws {
    let shape = [512, 384]
    let scalars = Self.values(shape.reduce(1, *), seed: precision == .f32 ? 1 : 2)
      .map { precision == .f32 ? Double(Float($0)) : $0 }
    let value = Tensor(shape: shape, scalars: scalars)
    let text = "input x[384]\nparam W[512, 384] = glorot  # wide\nloss L = sum(W @ x)\n"
    let source = SourceFile(path: "big.ffn", text: text)
    let written = try ProgramWriter.withParameterValues(
      source, values: [("W", value)], precision: precision, note: "big")
    let graph = try Programs.lower(written)
    guard case .literal(let read)? = graph.parameters.first?.initializer else {
      Issue.record("W has no literal")
      return
    }
    #expect(read.shape == shape)
    // In f32 a number's text is the shortest that reads back as the same Float. (A Bool, so that
    // a failure does not diff two large arrays.)
    let bits = { (x: Double) in precision == .f32 ? UInt64(Float(x).bitPattern) : x.bitPattern }
    let same = read.scalars.map(bits) == scalars.map(bits)
    #expect(same)
    // One row per line under the first, the rest of the file as it was, and a second save
    // of the same values changes nothing.
    let lines = written.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.first == "# ffc train: big")
    #expect(lines.dropFirst(2).first?.hasPrefix("param W[512, 384] = [[") == true)
    #expect(written.hasSuffix("]]  # wide\nloss L = sum(W @ x)\n"))
    let again = try ProgramWriter.withParameterValues(
      SourceFile(path: "big.ffn", text: written), values: [("W", value)], precision: precision,
      note: "big")
    #expect(again == written)
  }

  /// A dense layer's new `W=` on a long first line: the literal's rows line up under the option's
  /// first number however long the line before it.
  @Test func aLongLineBeforeALiteralLinesUpItsRows() throws {
    let call = "h = dense(x, 64, tanh)" + String(repeating: " ", count: 3000) + "# long\n"
    let text = "input x[32]\n" + call + "loss L = sum(h)\n"
    let graph = try Programs.lower(text)
    let values = graph.parameters.map { d in
      let shape = d.shape.concrete ?? []
      return (
        name: d.name,
        value: Tensor(
          shape: shape,
          scalars: Self.values(
            shape.reduce(1, *), seed: 3))
      )
    }
    let written = try ProgramWriter.withParameterValues(
      SourceFile(path: "dense.ffn", text: text), values: values, precision: .f64, note: nil)
    let after = try Programs.lower(written)
    for (name, value) in values {
      guard
        case .literal(let read)? = after.parameters.first(where: { $0.name == name })?.initializer
      else {
        Issue.record("\(name) has no literal")
        continue
      }
      let same = read.scalars.map(\.bitPattern) == value.scalars.map(\.bitPattern)
      #expect(same, "\(name)")
    }
  }
}
