/// A shape rule's complaint, without a location: the frontend attaches the user's span, and a pass
/// that meets one reports an internal error naming the pass.
public struct ShapeError: Error, Sendable, Equatable, CustomStringConvertible {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}
