/// A function of the language defined by other ops (`mse`, `sse`), expanded when the program is
/// lowered, so it needs no evaluation or derivative rule of its own.
public struct Composite: Sendable {
  public let name: String
  public let tensorCount: Int
  public let summary: String
  public let expand: @Sendable (_ inputs: [Value]) -> Value
  /// A loss comparing its operands element by element (`mse`): their broadcast shape must be one
  /// of theirs (see `broadcastGrowth`).
  public let comparesElements: Bool

  public init(
    _ name: String, tensors: Int, summary: String, comparesElements: Bool = false,
    expand: @escaping @Sendable ([Value]) -> Value
  ) {
    self.name = name
    self.tensorCount = tensors
    self.summary = summary
    self.comparesElements = comparesElements
    self.expand = expand
  }

  /// The shape the operands of an element-comparing loss would broadcast to, when it is larger
  /// than both: `mse(o, y)` with o `[N, 1]` and y `[N]` would compare every prediction with every
  /// target (`[N, N]`) and train on that. Equal shapes, a scalar against anything, and a shape
  /// against a suffix of it (`[K]` against `[N, K]`, one row for every example) are accepted.
  public func broadcastGrowth(_ shapes: [Shape]) -> Shape? {
    guard comparesElements, shapes.count == 2,
      let joint = Shape.broadcast(shapes[0], shapes[1]), joint != shapes[0], joint != shapes[1]
    else { return nil }
    return joint
  }
}
