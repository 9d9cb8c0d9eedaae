import FFCIR
import FFCPasses
import FFCRuntime
import Foundation

/// `--check-rewrites`: after every rewriting pass, evaluates the graph before and after it in f64
/// on the same seeded random values and compares, for every rewrite that fired, the value of the
/// node it replaced with the value of its replacement. A difference is an error naming the rule
/// and the line.
public enum RewriteChecker {
  static let tolerance = 1e-9
  /// A stabilising rewrite (log(1 - sigmoid(z)) -> -softplus(z)) removes the rounding error of
  /// the form it replaces, which takes a logarithm of a difference near 1 and so is off by up to
  /// about 1e-16 before the logarithm: at z = 20 the two differ in the ninth digit, at z = 36.7
  /// in the second, and it is the written one that is wrong. Such values are compared before
  /// the logarithm, as exp(x) and exp(y), to that absolute rounding (with room).
  static let stabilizingTolerance = 1e-13

  @Sendable public static func check(_ before: Graph, _ after: Graph, _ events: [RewriteEvent])
    -> [Diagnostic]
  {
    var feeds: [String: Tensor] = [:]
    guard (try? RandomData.fill(&feeds, graph: before, seed: 0xC4EC)) != nil,
      let old = try? ReferenceEvaluator(seed: 1).evaluate(before, feeds: feeds),
      let new = try? ReferenceEvaluator(seed: 1).evaluate(after, feeds: feeds)
    else { return [] }
    var problems: [Diagnostic] = []
    for event in events
    where event.original.index < old.count && event.replacement.index < new.count {
      let (a, b) = (old[event.original.index], new[event.replacement.index])
      guard a.shape == b.shape else { continue }
      let stabilizing = event.pass == Stabilize().name
      for (x, y) in zip(a.scalars, b.scalars)
      where !agree(x, y) && !(stabilizing && agreeBeforeTheLogarithm(x, y)) {
        problems.append(
          Diagnostic(
            .error, id: "rewrite.changed-value",
            "rewrite '\(event.rule)' in \(event.pass) changed a value: \(TensorFormat.number(x)) became \(TensorFormat.number(y)) (\(event.before) -> \(event.after))",
            at: event.location))
        break
      }
    }
    return problems
  }

  /// Equal within the tolerance, relative to max(1, |x|); NaN only matches NaN. An infinity that
  /// became finite is the point of a stabilising rewrite and is accepted.
  static func agree(_ x: Double, _ y: Double) -> Bool {
    if x.isNaN || y.isNaN { return x.isNaN && y.isNaN || x.isNaN && y.isFinite }
    if !x.isFinite { return true }
    return abs(x - y) <= tolerance * max(1, abs(x))
  }

  static func agreeBeforeTheLogarithm(_ x: Double, _ y: Double) -> Bool {
    Swift.abs(Foundation.exp(x) - Foundation.exp(y)) <= stabilizingTolerance
  }
}
