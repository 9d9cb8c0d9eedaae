import FFCDriver
import FFCPasses
import FFCRuntime
import Foundation

/// Runs one program the ways `ffc run` can evaluate it (-O1, -O0, --trace; f64 and f32) and
/// reports where they disagree: the roots (outputs, loss, gradients) must agree to rounding, NaN
/// with NaN and an infinity with the same infinity, and the exit codes must be equal and 0 or 1.
public enum Differential {
  /// The values `ffc run --grads --format csv` printed, by "kind,name,index".
  public struct Values {
    public let code: Int32
    public let entries: [(key: String, value: Double)]
    public let trace: [Double]
  }

  public static func run(_ text: String, _ arguments: [String]) -> Values {
    let result = CLI.run(["run", "-", "--grads", "--format", "csv"] + arguments, stdinText: text)
    var entries: [(String, Double)] = []
    var trace: [Double] = []
    for line in result.stdout.split(separator: "\n").dropFirst() {
      guard let comma = line.lastIndex(of: ","),
        let value = Double(line[line.index(after: comma)...])
      else { continue }
      if line.hasPrefix("trace,") {
        trace.append(value)
      } else {
        entries.append((String(line[..<comma]), value))
      }
    }
    return Values(code: result.code.rawValue, entries: entries, trace: trace)
  }

  /// Disagreements between -O1, -O0 and --trace in `precision`, one line each (empty: none).
  public static func levelsDisagree(_ text: String, precision: String) -> [String] {
    let tolerance = precision == "f32" ? 1e-3 : 1e-7
    let base = ["--precision", precision]
    let optimized = run(text, base)
    let traced = run(text, base + ["--trace"])
    let scale = magnitude(text)
    let stabilized = isStabilized(text)
    var problems: [String] = []
    for (label, other) in [("-O0", run(text, base + ["-O0"])), ("--trace", traced)] {
      problems += compare(
        optimized, other, tolerance: tolerance, scale: scale, acceptingRepairs: stabilized
      ).map {
        "-O1 vs \(label) (\(precision)): \($0)"
      }
    }
    return problems
  }

  /// Disagreements between f32 and f64 (-O1), when every value f64 computes, forward and
  /// backward, optimised or not, is 0 or lies well inside f32's range (1e-6 to 1e6 in magnitude:
  /// pow(-100, -100) is 1e-200 in f64 and 0 in f32, and its sign flips a selection).
  public static func precisionsDisagree(_ text: String) -> [String] {
    let values = everyValue(text)
    let inRange = values.allSatisfy { $0 == 0 || (1e-6...1e6).contains(Swift.abs($0)) }
    guard !values.isEmpty, inRange else { return [] }
    let wide = run(text, ["--precision", "f64"])
    let narrow = run(text, ["--precision", "f32"])
    return compare(wide, narrow, tolerance: 1e-3, scale: magnitude(text)).map {
      "f64 vs f32: \($0)"
    }
  }

  /// The largest finite magnitude of any value the program computes, gradient included, at -O0 or
  /// -O1 (in f64). Rounding is relative to it: Σ(x − 1e10) + Σ(1e10) is 0 in one order and 1024
  /// in another in f32, and p · (q / p) with p = 1e-30 has a derivative of about 1e30 − 1e30.
  public static func magnitude(_ text: String) -> Double {
    everyValue(text).lazy.filter(\.isFinite).map(Swift.abs).reduce(1, Swift.max)
  }

  /// Every element of every node's value, in f64, of the gradient graph at -O0 and at -O1 (empty
  /// when the program does not compile or evaluate).
  static func everyValue(_ text: String) -> [Double] {
    var all: [Double] = []
    for optimize in [false, true] {
      guard let graph = try? Programs.compile(text, optimize: optimize),
        let values = try? ReferenceEvaluator().evaluate(graph, feeds: [:])
      else { return [] }
      for value in values { all += value.scalars }
    }
    return all
  }

  /// Whether -O1 rewrites an unstable form into a stable one (log(sigmoid(x)) into
  /// −softplus(−x)): then a value that is inf or NaN unoptimised may be finite or another
  /// non-finite value optimised, which is the point of the rewrite.
  public static func isStabilized(_ text: String) -> Bool {
    guard let graph = try? Programs.lower(text),
      let result = try? Pipeline.standard(differentiate: true, optimize: true).run(graph)
    else { return false }
    return result.events.contains { $0.pass == Stabilize().name }
  }

  /// `acceptingRepairs`: entries where `b` (unoptimised) is inf or NaN are not compared.
  static func compare(
    _ a: Values, _ b: Values, tolerance: Double, scale: Double, acceptingRepairs: Bool = false
  ) -> [String] {
    guard a.code == b.code, [0, 1].contains(a.code) else {
      return ["exit codes \(a.code) and \(b.code)"]
    }
    guard a.entries.map(\.key) == b.entries.map(\.key) else {
      return ["different roots: \(a.entries.map(\.key)) and \(b.entries.map(\.key))"]
    }
    return zip(a.entries, b.entries).compactMap { x, y in
      if acceptingRepairs && !y.value.isFinite { return nil }
      return agree(x.value, y.value, tolerance: tolerance, scale: scale)
        ? nil : "\(x.key): \(x.value) and \(y.value)"
    }
  }

  /// Equal within `tolerance` relative to max(1, |x|, |y|, scale); NaN only matches NaN, an
  /// infinity only the same infinity.
  public static func agree(_ x: Double, _ y: Double, tolerance: Double, scale: Double = 1) -> Bool {
    if x.isNaN || y.isNaN { return x.isNaN && y.isNaN }
    if x.isInfinite || y.isInfinite { return x == y }
    return Swift.abs(x - y) <= tolerance * Swift.max(1, Swift.abs(x), Swift.abs(y), scale)
  }
}
