import Foundation

/// How long a fuzzing test runs: a number of seeded cases in `swift test`, or a time from
/// FFC_FUZZ_SECONDS (set by samples/fuzz/run.sh), starting at FFC_FUZZ_FIRST_SEED.
public enum Fuzzing {
  public struct Budget: Sendable {
    public let firstSeed: UInt64
    public let cases: Int?
    public let seconds: Double?
  }

  public static func budget(defaultPrograms: Int) -> Budget {
    let environment = ProcessInfo.processInfo.environment
    let first = environment["FFC_FUZZ_FIRST_SEED"].flatMap { UInt64($0) } ?? 0
    if let seconds = environment["FFC_FUZZ_SECONDS"].flatMap(Double.init), seconds > 0 {
      return Budget(firstSeed: first, cases: nil, seconds: seconds)
    }
    return Budget(firstSeed: first, cases: defaultPrograms, seconds: nil)
  }

  /// Runs `body` on successive seeds within the budget; returns its failure reports.
  public static func repeatUntil(_ budget: Budget, _ body: (UInt64) -> String?) -> [String] {
    let start = Date()
    var failures: [String] = []
    var seed = budget.firstSeed
    while true {
      if let cases = budget.cases, seed - budget.firstSeed >= UInt64(cases) { break }
      if let seconds = budget.seconds, Date().timeIntervalSince(start) >= seconds { break }
      if let failure = body(seed) { failures.append(failure) }
      seed += 1
    }
    if budget.seconds != nil {
      print(
        "fuzzing: \(seed - budget.firstSeed) cases from seed \(budget.firstSeed), \(failures.count) failed"
      )
    }
    return failures
  }
}
