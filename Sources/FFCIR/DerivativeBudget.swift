/// The memory a transformation that builds one derivative pass per element (a Jacobian, a Hessian)
/// may take while it builds, and how to name that limit in a message. The runtime's
/// `MemoryBudget` knows the machine and makes one (`MemoryBudget.derivatives`); FFCIR only
/// estimates and compares.
public struct DerivativeBudget: Sendable {
  public let bytes: Int
  /// "this machine's 15.5 GiB of memory"
  public let phrase: String
  let describe: @Sendable (Int) -> String

  public init(bytes: Int, phrase: String, describe: @escaping @Sendable (Int) -> String) {
    self.bytes = bytes
    self.phrase = phrase
    self.describe = describe
  }

  /// What one node of a built graph takes, about: its fields object, operand list, shape and
  /// location, and its entry in the builder's table (a generous round figure, so that the estimate
  /// errs towards refusing before the machine runs out, not after).
  static let bytesPerNode = 512

  /// Nil when `passes` derivative passes, each over about `nodes` nodes and adding a constant of
  /// `width` elements (the direction or the row's placement), and a result of `result` elements
  /// fit in the budget; otherwise the reason, as "building it takes about 71.1 PiB (...), more
  /// than this machine's 15.5 GiB of memory".
  public func refusal(passes: Int, nodes: Int, width: Int, result: Int, resultShape: String)
    -> String?
  {
    let perPass = Self.add(
      Self.multiply(Swift.max(1, nodes), Self.bytesPerNode), Self.multiply(width, 8))
    // The result is held as a value of the graph and again by the run.
    let total = Self.add(Self.multiply(passes, perPass), Self.multiply(result, 16))
    guard total > bytes else { return nil }
    let amount = total == Int.max ? "more bytes than can be counted" : "about \(describe(total))"
    return
      "building it takes \(amount) (\(passes) derivative passes over \(nodes) nodes, and a result of shape \(resultShape)), more than \(phrase)"
  }

  /// `a * b`, or Int.max when it overflows.
  public static func multiply(_ a: Int, _ b: Int) -> Int {
    let (product, overflow) = a.multipliedReportingOverflow(by: b)
    return overflow ? Int.max : product
  }

  static func add(_ a: Int, _ b: Int) -> Int {
    let (sum, overflow) = a.addingReportingOverflow(b)
    return overflow ? Int.max : sum
  }
}
