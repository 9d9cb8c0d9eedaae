// `ffc-bench --ceiling`: the machine's FMA ceiling per kernel path, precision and thread count,
// measured by each ISA module's probe (twelve independent chains of register-wide FMAs), so
// that every product figure can also be read as a share of what the CPU can do.
import Dispatch
import FFCTensor
import Foundation

/// Scalars the probe runs in: each calls its own entry of an ISA module.
protocol ProbeScalar: KernelScalar {
  static func probe(_ kernels: any ISAKernels.Type, iterations: Int) -> Int
}

extension Float: ProbeScalar {
  static func probe(_ kernels: any ISAKernels.Type, iterations: Int) -> Int {
    let (result, flops) = kernels.fmaProbe(Float(0.999), iterations: iterations)
    return result.isNaN ? 0 : flops
  }
}

extension Double: ProbeScalar {
  static func probe(_ kernels: any ISAKernels.Type, iterations: Int) -> Int {
    let (result, flops) = kernels.fmaProbe(Double(0.999), iterations: iterations)
    return result.isNaN ? 0 : flops
  }
}

/// One ceiling: FLOPs per wall second on `threads` threads, and per CPU-second of the process
/// (all threads), which other processes on a shared machine do not dilute.
struct Ceiling {
  let wall: Double
  let perCPUSecond: Double
}

/// The paths the probe measures: those with FMA (the x86-64 baseline has none, so its figure
/// would be a multiply and an add; arm64's baseline, NEON, has FMA).
var probedISAs: [KernelISA] {
  #if arch(x86_64)
    CPUInfo.current.supportedISAs.filter { $0 != .generic }
  #else
    CPUInfo.current.supportedISAs
  #endif
}

/// The ceiling of `isa` in `T` on `threads` threads: the best of `repeats` runs of about 0.2 s
/// of CPU time each (the best, since a ceiling is what the CPU can reach, and load only lowers it).
func measureCeiling<T: ProbeScalar>(
  _: T.Type, isa: KernelISA, threads: Int, repeats: Int = 3
) -> Ceiling {
  let kernels = isa.kernels
  var calibration = 0
  let calibrationTime = cpuSeconds { calibration = T.probe(kernels, iterations: 1 << 20) }
  let iterations = Int(Double(1 << 20) * 0.2 / Swift.max(calibrationTime, 1e-6))
  var best = Ceiling(wall: 0, perCPUSecond: 0)
  for _ in 0..<repeats {
    let flops = Counter()
    var wall = 0.0
    let cpu = cpuSeconds {
      wall = seconds {
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
          flops.add(T.probe(isa.kernels, iterations: iterations))
        }
      }
    }
    let total = Double(flops.value)
    best = Ceiling(
      wall: Swift.max(best.wall, total / wall),
      perCPUSecond: Swift.max(best.perCPUSecond, total / cpu))
  }
  _ = calibration
  return best
}

/// FLOPs added up by the probe's threads.
final class Counter: @unchecked Sendable {
  private var total = 0
  private let lock = NSLock()
  func add(_ n: Int) { lock.withLock { total += n } }
  var value: Int { lock.withLock { total } }
}

/// Prints the ceiling of every probed path, f32 and f64, on 1 thread and on every core.
func ceilingBenchmark() {
  print(
    "CPU: \(CPUInfo.current.model), \(CPUInfo.current.cores) cores; path chosen: \(Compute.isa.rawValue)\n"
  )
  print("| path | precision | threads | FMA ceiling GFLOP/s | GFLOP per CPU-second, per thread |")
  print("| --- | --- | ---: | ---: | ---: |")
  func row<T: ProbeScalar>(_: T.Type, _ isa: KernelISA, _ threads: Int) {
    let c = measureCeiling(T.self, isa: isa, threads: threads)
    print(
      "| \(isa.rawValue) | \(T.precision) | \(threads) | \(String(format: "%.1f", c.wall / 1e9)) | \(String(format: "%.1f", c.perCPUSecond / 1e9)) |"
    )
  }
  for isa in probedISAs {
    for threads in Set([1, Compute.threadLimit]).sorted() {
      row(Float.self, isa, threads)
      row(Double.self, isa, threads)
    }
  }
}
