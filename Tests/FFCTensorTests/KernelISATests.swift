import FFCTensor
import Testing

/// Choosing the kernel path: the widest the CPU has, or `FFC_ISA` when the CPU supports it; an
/// unknown or unsupported request names the problem (the driver reports it) and falls back.
@Suite struct KernelISATests {
  @Test func theWidestSupportedPathByDefault() {
    #expect(ISAChoice(requested: nil, supported: [.generic, .avx2]).isa == .avx2)
    #expect(ISAChoice(requested: "", supported: [.generic, .avx2, .avx512]).isa == .avx512)
    #expect(ISAChoice(requested: nil, supported: [.generic]).problem == nil)
  }

  @Test func aSupportedRequestIsFollowed() {
    let choice = ISAChoice(requested: "generic", supported: [.generic, .avx2, .avx512])
    #expect(choice.isa == .generic && choice.problem == nil)
  }

  @Test func anUnsupportedRequestIsAProblem() {
    let choice = ISAChoice(requested: "avx512", supported: [.generic, .avx2])
    #expect(choice.isa == .avx2)
    #expect(
      choice.problem == "FFC_ISA=avx512 is not supported by this CPU (it runs: generic, avx2)")
  }

  @Test func anUnknownNameIsAProblem() {
    let choice = ISAChoice(requested: "avx521", supported: [.generic])
    #expect(choice.isa == .generic)
    #expect(choice.problem?.contains("expected one of: generic, avx2, avx512") == true)
  }

  /// This machine can always run the baseline, and the process's path is one it supports.
  @Test func theProcessRunsASupportedPath() {
    #expect(KernelISA.generic.isSupported)
    #expect(Compute.isa.isSupported)
    #expect(CPUInfo.current.l1Data > 0 && CPUInfo.current.l2 > 0)
  }
}

/// A task's override reaches the layouts built under it (plans read it when they are built).
@Suite struct KernelISAOverrideTests {
  @Test func layoutsTakeTheTasksPath() {
    for isa in KernelISA.allCases.filter(\.isSupported) {
      Compute.$isaOverride.withValue(isa) {
        let layout = Compute.MatMulLayout(
          a: [4, 5], b: [5, 6], transposeA: false, transposeB: false)
        #expect(layout.isa == isa)
      }
    }
  }
}
