import Foundation  // and, on macOS, Darwin's sysctlbyname

/// What the kernels need to know about the CPU, read once at run time: its name, the vector
/// instruction sets the OS lets programs use, and its cache sizes.
public struct CPUInfo: Sendable {
  public let model: String
  /// Whose design it is: a few kernel choices were measured to help on one maker's cores and
  /// to hurt on the other's (`GEMMBlocking.interleavesPackingB`), as BLIS and OpenBLAS tune
  /// per microarchitecture.
  public let vendor: Vendor
  /// Instruction-set paths this CPU (and OS) can run, narrowest first.
  public let supportedISAs: [KernelISA]
  /// Bytes of the L1 data cache and L2 of one core, and of the shared L3 (0 if there is none).
  public let l1Data: Int
  public let l2: Int
  public let l3: Int
  public let cores: Int

  public static let current = CPUInfo()

  public enum Vendor: String, Sendable {
    case amd, intel, other
  }

  /// A CPU described by hand (tests, and what-if block sizes).
  public init(
    model: String = "described", vendor: Vendor = .other,
    supportedISAs: [KernelISA] = [.generic], l1Data: Int, l2: Int, l3: Int, cores: Int
  ) {
    (self.model, self.vendor, self.supportedISAs) = (model, vendor, supportedISAs)
    (self.l1Data, self.l2, self.l3, self.cores) = (l1Data, l2, l3, cores)
  }

  init() {
    let flags = Self.featureFlags()
    supportedISAs = KernelISA.allCases.filter { Self.supports($0, flags) }
    let caches = Self.cacheSizes()
    // When a size cannot be read: Zen 3's, which the old compiled-in blocking assumed.
    l1Data = caches.l1 > 0 ? caches.l1 : 32 << 10
    l2 = caches.l2 > 0 ? caches.l2 : 512 << 10
    l3 = caches.l3
    cores = Swift.max(1, ProcessInfo.processInfo.activeProcessorCount)
    model = Self.modelName()
    vendor = Self.vendorOf()
  }

  /// The features each path's module was compiled to use (`-target-cpu haswell` and
  /// `skylake-avx512` in Package.swift): a path runs only if the CPU has all of them.
  static func supports(_ isa: KernelISA, _ flags: Set<String>) -> Bool {
    let avx2 = ["avx", "avx2", "fma", "f16c", "bmi1", "bmi2", "movbe", "popcnt", "lzcnt"]
    let avx512 = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]
    switch isa {
    case .generic: return true
    case .avx2: return avx2.allSatisfy(flags.contains)
    case .avx512: return (avx2 + avx512).allSatisfy(flags.contains)
    }
  }

  /// The CPU's feature flags as the OS reports them. Linux lists in /proc/cpuinfo only the
  /// features whose register state it saves (it clears AVX-512 when XSAVE does not cover the
  /// zmm registers), which is the check cpuid plus xgetbv would make; Swift cannot issue either
  /// instruction without a C target, so the OS's answer is read instead. macOS answers by sysctl.
  static func featureFlags() -> Set<String> {
    #if arch(x86_64) && os(Linux)
      guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
        let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
        let colon = line.firstIndex(of: ":")
      else { return [] }
      var flags = Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
      if flags.contains("abm") { flags.insert("lzcnt") }  // AMD's name for lzcnt + popcnt
      return flags
    #elseif arch(x86_64) && canImport(Darwin)
      let names = [
        ("avx1_0", "avx"), ("avx2_0", "avx2"), ("fma", "fma"), ("f16c", "f16c"), ("bmi1", "bmi1"),
        ("bmi2", "bmi2"), ("movbe", "movbe"), ("popcnt", "popcnt"), ("lzcnt", "lzcnt"),
        ("avx512f", "avx512f"), ("avx512cd", "avx512cd"), ("avx512bw", "avx512bw"),
        ("avx512dq", "avx512dq"), ("avx512vl", "avx512vl"),
      ]
      return Set(names.filter { sysctlInt("hw.optional." + $0.0) == 1 }.map(\.1))
    #else
      return []
    #endif
  }

  static func cacheSizes() -> (l1: Int, l2: Int, l3: Int) {
    #if os(Linux)
      var sizes = (l1: 0, l2: 0, l3: 0)
      let root = "/sys/devices/system/cpu/cpu0/cache"
      for index in 0..<8 {
        let dir = "\(root)/index\(index)"
        guard let level = readLine(dir + "/level").flatMap({ Int($0) }),
          let type = readLine(dir + "/type"), type != "Instruction",
          let size = readLine(dir + "/size").flatMap(parseSize)
        else { continue }
        switch level {
        case 1: sizes.l1 = size
        case 2: sizes.l2 = size
        case 3: sizes.l3 = size
        default: break
        }
      }
      return sizes
    #elseif canImport(Darwin)
      // Apple silicon reports the performance cores' caches per level (perflevel0).
      let l1 = sysctlInt("hw.perflevel0.l1dcachesize") ?? sysctlInt("hw.l1dcachesize") ?? 0
      let l2 = sysctlInt("hw.perflevel0.l2cachesize") ?? sysctlInt("hw.l2cachesize") ?? 0
      return (l1, l2, sysctlInt("hw.l3cachesize") ?? 0)
    #else
      return (0, 0, 0)
    #endif
  }

  /// The maker from /proc/cpuinfo's `vendor_id` (x86-64 Linux) or `machdep.cpu.vendor` (x86-64
  /// macOS); any other CPU (arm64) is `.other`.
  static func vendorOf() -> Vendor {
    #if arch(x86_64) && os(Linux)
      guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
        let line = text.split(separator: "\n").first(where: { $0.hasPrefix("vendor_id") })
      else { return .other }
      return vendor(named: String(line))
    #elseif arch(x86_64) && canImport(Darwin)
      var size = 0
      guard sysctlbyname("machdep.cpu.vendor", nil, &size, nil, 0) == 0, size > 0 else {
        return .other
      }
      var bytes = [CChar](repeating: 0, count: size)
      guard sysctlbyname("machdep.cpu.vendor", &bytes, &size, nil, 0) == 0 else { return .other }
      return vendor(
        named: String(
          decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    #else
      return .other
    #endif
  }

  /// `.amd` or `.intel` from a text holding the cpuid vendor string.
  public static func vendor(named text: String) -> Vendor {
    if text.contains("AuthenticAMD") { return .amd }
    if text.contains("GenuineIntel") { return .intel }
    return .other
  }

  static func modelName() -> String {
    #if os(Linux)
      guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else {
        return "unknown CPU"
      }
      for line in text.split(separator: "\n")
      where line.hasPrefix("model name") || line.hasPrefix("Model") {
        if let colon = line.firstIndex(of: ":") {
          return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
      }
      return "unknown CPU"
    #elseif canImport(Darwin)
      var size = 0
      guard sysctlbyname("machdep.cpu.brand_string", nil, &size, nil, 0) == 0, size > 0 else {
        return "unknown CPU"
      }
      var bytes = [CChar](repeating: 0, count: size)
      guard sysctlbyname("machdep.cpu.brand_string", &bytes, &size, nil, 0) == 0 else {
        return "unknown CPU"
      }
      return String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    #else
      return "unknown CPU"
    #endif
  }
}

/// The first line of a small system file, trimmed.
private func readLine(_ path: String) -> String? {
  (try? String(contentsOfFile: path, encoding: .utf8))?.split(separator: "\n").first.map {
    $0.trimmingCharacters(in: .whitespaces)
  }
}

/// "32K", "1024K", "32M" or a plain byte count.
private func parseSize(_ text: String) -> Int? {
  let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
  if let last = text.last, let unit = units[last] { return Int(text.dropLast()).map { $0 * unit } }
  return Int(text)
}

#if canImport(Darwin)
  private func sysctlInt(_ name: String) -> Int? {
    var value: Int64 = 0
    var size = MemoryLayout<Int64>.size
    guard sysctlbyname(name, &value, &size, nil, 0) == 0 else { return nil }
    return size == 4 ? Int(Int32(truncatingIfNeeded: value)) : Int(value)
  }
#endif
