import Foundation

/// The memory this process may use, and which limit says so (for the message that names it).
public struct MemoryLimit: Sendable {
  public let bytes: Int
  /// "this machine's 15.5 GiB of memory", "the 1.0 GiB the process may still address (ulimit -v)"
  public let phrase: String

  /// The smallest of physical memory, the control group's `memory.max` and what the address-space
  /// and data limits leave (less what the process has mapped already: the runtime and libraries
  /// count against `ulimit -v`).
  /// This process's limit, read once: asking the system costs system calls, and plans check
  /// every value.
  public static let ofThisProcess = current()

  static func current() -> MemoryLimit {
    var limits = [
      MemoryLimit(
        bytes: Int(clamping: ProcessInfo.processInfo.physicalMemory),
        phrase: { "this machine's \($0) of memory" })
    ]
    if let cgroup = controlGroupLimit() {
      limits.append(
        MemoryLimit(bytes: cgroup, phrase: { "the \($0) its control group may use (memory.max)" }))
    }
    let mapped = mappedBytes()
    #if os(Linux)
      let addressSpace = Int32(RLIMIT_AS.rawValue)
      let data = Int32(RLIMIT_DATA.rawValue)
    #else
      let addressSpace = RLIMIT_AS
      let data = RLIMIT_DATA
    #endif
    if let space = resourceLimit(addressSpace) {
      limits.append(
        MemoryLimit(
          bytes: Swift.max(0, space - mapped),
          phrase: { "the \($0) this process may still address (ulimit -v)" }))
    }
    if let space = resourceLimit(data) {
      limits.append(
        MemoryLimit(
          bytes: Swift.max(0, space - mapped),
          phrase: { "the \($0) of data this process may still allocate (ulimit -d)" }))
    }
    return limits.min { $0.bytes < $1.bytes } ?? limits[0]
  }

  init(bytes: Int, phrase: (String) -> String) {
    self.bytes = bytes
    self.phrase = phrase(MemoryLimit.describe(bytes))
  }

  private static func resourceLimit(_ resource: Int32) -> Int? {
    var limit = rlimit()
    #if os(Linux)
      guard getrlimit(__rlimit_resource_t(UInt32(resource)), &limit) == 0 else { return nil }
    #else
      guard getrlimit(resource, &limit) == 0 else { return nil }
    #endif
    // RLIM_INFINITY is all ones; Swift cannot import the C macro.
    return limit.rlim_cur == rlim_t.max ? nil : Int(clamping: limit.rlim_cur)
  }

  /// cgroup v2's limit for this process's group ("max" when there is none).
  private static func controlGroupLimit() -> Int? {
    guard
      let text = try? String(contentsOfFile: "/sys/fs/cgroup/memory.max", encoding: .utf8),
      let bytes = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    else { return nil }
    return bytes
  }

  /// The process's virtual size now (Linux's /proc/self/statm, in pages); 0 where unknown.
  private static func mappedBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
      let pages = text.split(separator: " ").first.flatMap({ Int($0) })
    else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
  }

  /// `bytes` in the largest binary unit that keeps it at least 1: "15.5 GiB".
  public static func describe(_ bytes: Int) -> String {
    if bytes == Int.max { return "more bytes than can be counted" }
    let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1024 && unit < units.count - 1 {
      value /= 1024
      unit += 1
    }
    return unit == 0 ? "\(bytes) bytes" : String(format: "%.1f %@", value, units[unit])
  }
}
