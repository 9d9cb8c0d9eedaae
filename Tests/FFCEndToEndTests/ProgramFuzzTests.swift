import FFCTestSupport
import Foundation
import Testing

/// The bounded part of fuzzing (issue 12): mutated programs never crash the compiler, f32 agrees
/// with f64 where f64's values are inside f32's range, and `check` passes on smooth programs.
/// `samples/fuzz/run.sh` runs the same for longer (FFC_FUZZ_SECONDS); the O0/O1/trace agreement
/// is DifferentialTests.
@Suite struct ProgramFuzzTests {
  static let budget = Fuzzing.budget(defaultPrograms: 60)
  static let samples = Repository.sampleFiles().map { Repository.read("samples/\($0)") }

  @Test func mutatedProgramsNeverCrashTheCompiler() {
    let failures = Fuzzing.repeatUntil(Self.budget) { seed in
      let original =
        seed % 2 == 0
        ? Self.samples[Int(seed / 2) % Self.samples.count] : RandomProgram(seed: seed).text
      var mutator = ProgramMutator(seed: seed)
      let text = mutator.mutate(original)
      let result = CLI.run(["compile", "-", "--emit-grad"], stdinText: text)
      guard ![0, 1, 2].contains(result.code.rawValue) else { return nil }
      return "seed \(seed): exit \(result.code.rawValue)\n\(text)\n\(result.stderr)"
    }
    #expect(failures.isEmpty, "\(failures.prefix(3).joined(separator: "\n\n"))")
  }

  @Test func singlePrecisionAgreesWithDoubleInRange() {
    let failures = Fuzzing.repeatUntil(Self.budget) { seed in
      let text = RandomProgram(seed: seed).text
      let problems = Differential.precisionsDisagree(text)
      return problems.isEmpty ? nil : "seed \(seed):\n\(text)\(problems.joined(separator: "\n"))"
    }
    #expect(failures.isEmpty, "\(failures.prefix(3).joined(separator: "\n\n"))")
  }

  @Test func checkPassesOnSmoothPrograms() {
    let failures = Fuzzing.repeatUntil(Self.budget) { seed in
      let text = RandomProgram(seed: seed, smooth: true).text
      let result = CLI.run(["check", "-"], stdinText: text)
      return result.code == .success
        ? nil : "seed \(seed):\n\(text)\(result.stdout)\(result.stderr)"
    }
    #expect(failures.isEmpty, "\(failures.prefix(3).joined(separator: "\n\n"))")
  }
}
