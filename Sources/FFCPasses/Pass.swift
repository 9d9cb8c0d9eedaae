import FFCIR

/// Why a pass stopped: a problem in the user's program (a diagnostic), or a bug in ffc.
public enum PassFailure: Error, Sendable {
  case user(Diagnostic)
  case `internal`(pass: String, message: String)
}

/// What a pass may record while it runs: how often each of its rewrites fired, and warnings.
public struct PassContext: Sendable {
  public private(set) var counters: [String: Int] = [:]
  public internal(set) var diagnostics: [Diagnostic] = []
  /// Every rewrite that fired, in order (for `--explain-rewrites`).
  public private(set) var events: [RewriteEvent] = []

  public mutating func record(_ event: RewriteEvent) { events.append(event) }

  public init() {}

  public mutating func count(_ key: String, by n: Int = 1) { counters[key, default: 0] += n }
  public mutating func warn(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }

  /// Counters sorted by name: statistics never print in a Dictionary's order.
  public var sortedCounters: [(String, Int)] {
    counters.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
  }
  public var total: Int { counters.values.reduce(0, +) }
}

/// One firing of a rewrite: the rule, where in the program, and the expression before and after.
public struct RewriteEvent: Sendable {
  public let pass: String
  public let rule: String
  public let location: SourceRange?
  public let before: String
  public let after: String
  /// The node rewritten, in the graph the pass was given, and its replacement in the graph it
  /// returned: `--check-rewrites` compares their values.
  public let original: NodeID
  public let replacement: NodeID

  public init(
    pass: String, rule: String, location: SourceRange?, before: String, after: String,
    original: NodeID,
    replacement: NodeID
  ) {
    (self.pass, self.rule, self.location, self.before, self.after) = (
      pass, rule, location, before, after
    )
    (self.original, self.replacement) = (original, replacement)
  }
}

/// A pure function from graph to graph. It keeps no state between runs.
public protocol Pass: Sendable {
  /// Short kebab-case name, shown by --stats.
  var name: String { get }
  func run(_ graph: Graph, _ context: inout PassContext) throws(PassFailure) -> Graph
}

extension Pass {
  /// Runs a rebuilding step, turning a shape error (a rule that built an ill-shaped node) into an
  /// internal error naming the pass.
  func rebuilding<Result>(_ graph: Graph, _ body: () throws -> Result) throws(PassFailure) -> Result
  {
    do {
      return try body()
    } catch let failure as PassFailure {
      throw failure
    } catch {
      throw .internal(pass: name, message: "\(error)")
    }
  }
}
