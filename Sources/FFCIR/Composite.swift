/// A function of the language defined by other ops (`mse`, `sse`), expanded when the program is
/// lowered, so it needs no evaluation or derivative rule of its own.
public struct Composite: Sendable {
  public let name: String
  public let tensorCount: Int
  public let summary: String
  public let expand: @Sendable (_ inputs: [Value]) -> Value

  public init(
    _ name: String, tensors: Int, summary: String, expand: @escaping @Sendable ([Value]) -> Value
  ) {
    self.name = name
    self.tensorCount = tensors
    self.summary = summary
    self.expand = expand
  }
}
