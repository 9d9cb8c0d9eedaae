import FFCTensor
import FFCTestSupport
import Testing

/// FFC_ISA: each path this CPU has runs a program to the same result; a path it lacks, or a name
/// that is no path, is a usage error before anything runs.
@Suite struct KernelPathCLITests {
  @Test func everySupportedPathRunsAndAgrees() throws {
    var losses: [String] = []
    for isa in KernelISA.allCases.filter(\.isSupported) {
      let result = try BinaryRunner.run(
        ["check", "samples/fig11_1.ffn"], environment: ["FFC_ISA": isa.rawValue])
      #expect(result.status == 0, "\(isa): \(result.stderr)")
      losses.append(result.stdout)
    }
    #expect(Set(losses).count == 1, "paths disagree: \(losses)")
  }

  @Test func anUnknownOrUnsupportedPathIsAUsageError() throws {
    let typo = try BinaryRunner.run(
      ["check", "samples/fig11_1.ffn"], environment: ["FFC_ISA": "avx521"])
    #expect(typo.status == 2)
    #expect(typo.stderr.hasPrefix("ffc: error: FFC_ISA=avx521 is not a kernel path"))
    for isa in KernelISA.allCases where !isa.isSupported {
      let result = try BinaryRunner.run(["--version"], environment: ["FFC_ISA": isa.rawValue])
      #expect(result.status == 0, "--version needs no kernels")
      let run = try BinaryRunner.run(
        ["check", "samples/fig11_1.ffn"], environment: ["FFC_ISA": isa.rawValue])
      #expect(run.status == 2 && run.stderr.contains("not supported by this CPU"))
    }
  }
}
