/// Where a program asks for a derivative value (`jvp`, `jacobian`, `hessian`): what it
/// differentiates, with respect to what, and the node holding the result, so `ffc check` can
/// compare the value with finite differences.
public struct DerivativeSite: Sendable {
  public enum Kind: String, Sendable {
    case jvp, jacobian, hessian
  }

  public let kind: Kind
  public let result: NodeID
  /// y of `jvp(y, W, V)` and `jacobian(y, W)`; the scalar of `hessian(f, ...)`.
  public let of: NodeID
  public let wrt: [NodeID]
  /// V of `jvp`.
  public let direction: NodeID?
  /// The call as the program spells it, for reports.
  public let text: String
  public let location: SourceRange?

  public init(
    _ kind: Kind, result: NodeID, of: NodeID, wrt: [NodeID], direction: NodeID? = nil,
    text: String, location: SourceRange?
  ) {
    self.kind = kind
    self.result = result
    self.of = of
    self.wrt = wrt
    self.direction = direction
    self.text = text
    self.location = location
  }
}
