/// A numerically unstable pattern the lint reports: its id (`lint.log`, which `# ffc: allow`
/// and the tests name) and why the pattern gives inf or NaN.
public struct LintWarning: Sendable, Equatable {
  public let id: String
  public let message: String

  public init(_ id: String, _ message: String) {
    self.id = id
    self.message = message
  }
}

/// The warning a node of an op gets, if any, from what is known before anything runs: its
/// operands' ranges (`Graph.valueRanges`), and whether it lies between a parameter and the loss,
/// where its derivative is taken.
public typealias LintRule =
  @Sendable (_ inputs: [ValueRange], _ onPathToLoss: Bool) -> LintWarning?
