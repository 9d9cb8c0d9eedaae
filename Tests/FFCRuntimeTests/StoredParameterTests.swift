import FFCIR
import FFCRuntime
import FFCTestSupport
import Testing

/// A parameter loaded from a safetensors file stays a reference to the file through compilation
/// (`Initializer.stored`), and the plan fills its buffer from the file chunk by chunk: the same
/// bits as the f64 copy gave, with no f64 copy kept in `LeafValues`.
@Suite struct StoredParameterTests {
  static let path = Repository.root.appendingPathComponent("Tests/Fixtures/formats/t.ffn").path

  func graph(_ tensor: String, shape: String) throws -> Graph {
    try Programs.lower(
      """
      input x[N, 3]
      param W\(shape) = load("mixed.safetensors", "\(tensor)")
      o = sum(x) * sum(W)
      output o
      """, path: Self.path)
  }

  @Test func thePlanFillsItsBuffersFromTheFileAsTheCopyDid() throws {
    let graph = try graph("a", shape: "[2, 3]")
    let feeds = ["x": Tensor(shape: [1, 3], scalars: [1, 2, 3])]
    let kept = try LeafValues(graph, feeds: feeds, seed: 0, keepingStored: true)
    #expect(kept.stored.map(\.declaration.name) == ["W"])
    #expect(!kept.values.contains { $0.declaration.name == "W" })
    let copied = try LeafValues(graph, feeds: feeds, seed: 0)
    let node = try #require(graph.declarations.first { $0.name == "W" }?.node)
    for keepingStored in [true, false] {
      let leaves = keepingStored ? kept : copied
      let plan32 = try Plan<Float>(graph, leaves: leaves)
      let plan64 = try Plan<Double>(graph, leaves: leaves)
      #expect(plan32.value(of: node).scalars == [1, -2, 3.5, 0.25, -0.5, 6])
      #expect(plan64.value(of: node).scalars == [1, -2, 3.5, 0.25, -0.5, 6])
      plan32.run()
      #expect(plan32.roots().outputs[0].scalars == [6 * 8.25])
    }
  }

  /// 1e300 in an f64 tensor cannot be an f32 value: refused by name, as a literal is.
  @Test func aValueTooLargeForF32IsRefused() throws {
    let graph = try graph("b", shape: "[4]")
    let feeds = ["x": Tensor(shape: [1, 3], scalars: [1, 2, 3])]
    let leaves = try LeafValues(graph, feeds: feeds, seed: 0, keepingStored: true)
    #expect(throws: EvaluationError.self) { try Plan<Float>(graph, leaves: leaves) }
    do {
      _ = try Plan<Float>(graph, leaves: leaves)
    } catch {
      #expect(error.message.contains("of 'W' is too large for f32"), "\(error.message)")
      #expect(error.unrepresentableIn == .f32)
    }
    let plan64 = try Plan<Double>(graph, leaves: leaves)
    let node = try #require(graph.declarations.first { $0.name == "W" }?.node)
    #expect(plan64.value(of: node).scalars == [1.5, -2.25, 1e300, -0.0])
  }
}
