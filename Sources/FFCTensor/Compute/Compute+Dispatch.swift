@_exported import FFCKernelCore
import FFCKernelsAVX2
import FFCKernelsAVX512
import FFCKernelsGeneric
import Foundation

/// Which kernel path the process runs: `FFC_ISA` if set to a path the CPU supports, else the
/// widest the CPU has. Chosen once; plans read it when they are built, never per element.
public struct ISAChoice: Sendable {
  public let isa: KernelISA
  /// Why `FFC_ISA` could not be followed (an unknown name or a path this CPU lacks); the driver
  /// reports it as a usage error. Library callers get the widest supported path instead.
  public let problem: String?

  public init(requested: String?, supported: [KernelISA]) {
    let widest = supported.max() ?? .generic
    guard let requested, !requested.isEmpty else {
      (isa, problem) = (widest, nil)
      return
    }
    let names = supported.map(\.rawValue).joined(separator: ", ")
    if let asked = KernelISA(rawValue: requested), supported.contains(asked) {
      (isa, problem) = (asked, nil)
    } else if KernelISA(rawValue: requested) != nil {
      (isa, problem) = (
        widest, "FFC_ISA=\(requested) is not supported by this CPU (it runs: \(names))"
      )
    } else {
      let known = KernelISA.allCases.map(\.rawValue).joined(separator: ", ")
      (isa, problem) = (
        widest, "FFC_ISA=\(requested) is not a kernel path (expected one of: \(known))"
      )
    }
  }
}

extension Compute {
  public static let isaChoice = ISAChoice(
    requested: ProcessInfo.processInfo.environment["FFC_ISA"],
    supported: CPUInfo.current.supportedISAs)

  /// A path for the current task only, so a test can run plans on every path side by side.
  @TaskLocal public static var isaOverride: KernelISA?

  /// The path a kernel built now takes.
  public static var isa: KernelISA { isaOverride ?? isaChoice.isa }
}

extension KernelISA {
  /// This path's kernels (the module compiled for it).
  public var kernels: any ISAKernels.Type {
    switch self {
    case .generic: FFCKernelsGeneric.Kernels.self
    case .avx2: FFCKernelsAVX2.Kernels.self
    case .avx512: FFCKernelsAVX512.Kernels.self
    }
  }

  /// Whether this CPU can run the path.
  public var isSupported: Bool { CPUInfo.current.supportedISAs.contains(self) }
}

extension Compute {
  /// One line naming the kernel path and the block sizes it derived from the caches, for
  /// `ffc bench` and `ffc-bench`: "avx512 (AMD EPYC: L1d 32 KiB, L2 1024 KiB, L3 32768 KiB,
  /// 2 cores); f32 tile 6×32, blocks mc 252 kc 512 nc 4096; B panels beyond L2/2 packed
  /// sliver by sliver" (AMD; elsewhere "B panels packed whole").
  public static func kernelSummary<T: PanelScalar>(_: T.Type, isa: KernelISA = Compute.isa)
    -> String
  {
    let cpu = CPUInfo.current
    let kernels = isa.kernels
    let (mc, kc, nc) = GEMMBlocking.limits(T.self, kernels, cpu)
    let name = MemoryLayout<T>.size == 4 ? "f32" : "f64"
    return "\(isa.rawValue) (\(cpu.model): L1d \(cpu.l1Data >> 10) KiB, L2 \(cpu.l2 >> 10) KiB, "
      + "L3 \(cpu.l3 >> 10) KiB, \(cpu.cores) cores); \(name) tile \(kernels.tileRows)×"
      + "\(T.tileColumns(kernels)), blocks mc \(mc) kc \(kc) nc \(nc); "
      + (GEMMBlocking.interleavesLargePanels(on: cpu)
        ? "B panels beyond L2/2 packed sliver by sliver" : "B panels packed whole")
  }
}
