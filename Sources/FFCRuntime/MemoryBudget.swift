import FFCIR
import Foundation

/// What a run may allocate: never more than the machine's physical memory, so that a program or a
/// data file too large for it gets an error naming the value, not an abort in the allocator.
public enum MemoryBudget {
  /// Read once: asking the system costs a system call, and plans check every value.
  public static let limitBytes = Int(clamping: ProcessInfo.processInfo.physicalMemory)

  /// The number of elements of `shape`, or an error when it overflows or its values alone would
  /// not fit in memory at `bytesPerElement`.
  public static func elementCount(
    _ shape: [Int], bytesPerElement: Int, of what: @autoclosure () -> String,
    at location: SourceRange?
  ) throws(EvaluationError) -> Int {
    let count = Shape(shape).elementCount ?? Int.max
    let (bytes, overflow) = count.multipliedReportingOverflow(by: bytesPerElement)
    if overflow || bytes > limitBytes {
      throw EvaluationError(
        message:
          "\(what()) of shape \(Shape(shape)) needs \(describe(overflow ? Int.max : bytes)), more than this machine's \(describe(limitBytes)) of memory",
        location: location)
    }
    return count
  }

  /// A plan's total, checked the same way.
  public static func check(
    totalBytes: Int, overflowed: Bool, shapes: String, at location: SourceRange?
  ) throws(EvaluationError) {
    if overflowed || totalBytes > limitBytes {
      throw EvaluationError(
        message:
          "running this program\(shapes) needs \(describe(overflowed ? Int.max : totalBytes)) for its values, more than this machine's \(describe(limitBytes)) of memory",
        location: location)
    }
  }

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
