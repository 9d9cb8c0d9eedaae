import FFCDiagnostics
import FFCIR

// A bound on the function calls a program makes in all. `repeat` bounds its own count and the
// call chain is bounded in depth, but calls multiply: a function calling an earlier one twice,
// twenty levels deep, or a `repeat` of a function that repeats another, would inline millions
// of bodies (hours, and memory without end) before any other limit is met.

extension Lowering {
  /// The most bodies a program inlines in all, counting every call `repeat` makes and every call
  /// inside another function: as many as the longest `repeat`.
  static let mostCalls = 100_000

  /// Counts one more inlined body of `callee`; false (after reporting it at `range`) once the
  /// program would make more than `mostCalls`.
  mutating func countCall(_ callee: String, at range: SourceRange) -> Bool {
    guard inlinedCalls < Self.mostCalls else {
      diagnostics.add(.tooManyCalls(callee, limit: Self.mostCalls, at: range))
      return false
    }
    inlinedCalls += 1
    return true
  }

  /// Whether `count` more calls fit (for a `repeat`, checked before its first call, so a count
  /// that cannot fit is reported at once); reports it at `range` when not.
  mutating func callsFit(_ count: Int, _ callee: String, at range: SourceRange) -> Bool {
    guard inlinedCalls + count > Self.mostCalls else { return true }
    diagnostics.add(.tooManyCalls(callee, limit: Self.mostCalls, at: range))
    return false
  }
}

extension Diagnostic {
  static func tooManyCalls(_ name: String, limit: Int, at range: SourceRange) -> Diagnostic {
    Diagnostic(
      .error, id: "function.calls",
      "calling '\(name)' here makes the program's function calls more than \(limit) in all (each call made by 'repeat' or inside another function counts)",
      at: range)
  }
}
