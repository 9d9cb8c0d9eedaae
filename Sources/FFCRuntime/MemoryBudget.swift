import FFCIR
import Foundation

/// What a run may allocate: never more than the machine's physical memory, its control group's
/// limit or the process's own (`ulimit -v`, `ulimit -d`), so that a program or a data file too
/// large for it gets an error naming the value, not an abort in the allocator. Every command that
/// allocates values checks here first, and the large buffers are allocated through `allocate`,
/// which turns an allocation that still fails into the same error.
public enum MemoryBudget {
  /// The smallest of the limits, read once (`MemoryLimit.ofThisProcess`).
  public static var limit: MemoryLimit { MemoryLimit.ofThisProcess }
  public static var limitBytes: Int { limit.bytes }

  /// The budget for building a Jacobian's or a Hessian's derivative passes: the same limit.
  public static var derivatives: DerivativeBudget { .ofThisProcess }

  /// The number of elements of `shape`, or an error when it overflows or its values alone would
  /// not fit in memory at `bytesPerElement`.
  public static func elementCount(
    _ shape: [Int], bytesPerElement: Int, of what: @autoclosure () -> String,
    at location: SourceRange?
  ) throws(EvaluationError) -> Int {
    // The product, Int.max when it overflows (as `Shape.elementCount`), without making a Shape:
    // a plan counts every node's elements.
    var count = 1
    for size in shape {
      let (product, overflow) = count.multipliedReportingOverflow(by: size)
      if overflow {
        count = Int.max
        break
      }
      count = product
    }
    let (bytes, overflow) = count.multipliedReportingOverflow(by: bytesPerElement)
    if overflow || bytes > limit.bytes {
      throw EvaluationError(
        message:
          "\(what()) of shape \(Shape(shape)) needs \(describe(overflow ? Int.max : bytes)), more than \(limit.phrase)",
        location: location)
    }
    return count
  }

  /// A plan's total, checked the same way.
  public static func check(
    totalBytes: Int, overflowed: Bool, shapes: String, at location: SourceRange?
  ) throws(EvaluationError) {
    if overflowed || totalBytes > limit.bytes {
      throw EvaluationError(
        message:
          "running this program\(shapes) needs \(describe(overflowed ? Int.max : totalBytes)) for its values, more than \(limit.phrase)",
        location: location)
    }
  }

  /// `count` zeroed elements from the C allocator, which returns nothing where Swift's allocation
  /// would abort: a limit the budget could not see (other processes, overcommit turned off)
  /// becomes an error. Free the buffer with `release`.
  ///
  /// The buffer starts on a cache line (64 bytes), so that the plan's values, laid out on line
  /// boundaries within it (`BufferPlan.alignment`), are too: `calloc` returns 16 bytes past one,
  /// and vector loads and stores that straddle two lines cost the product kernels about a sixth
  /// of their speed on an Intel Xeon (Emerald Rapids). The block `calloc` returned is kept just
  /// before the buffer, for `release`.
  public static func allocate<T>(
    _ count: Int, of what: @autoclosure () -> String, at location: SourceRange?
  ) throws(EvaluationError) -> UnsafeMutablePointer<T> {
    let (bytes, overflow) = Swift.max(1, count).multipliedReportingOverflow(
      by: MemoryLayout<T>.stride)
    let (padded, paddingOverflow) = bytes.addingReportingOverflow(cacheLineBytes)
    guard !overflow, !paddingOverflow, let block = calloc(1, padded) else {
      throw EvaluationError(
        message:
          "could not allocate \(describe(overflow ? Int.max : bytes)) for \(what()): the system refused (\(limit.phrase))",
        location: location)
    }
    // At least one pointer's room before the buffer, at most a line: `calloc` aligns to 16.
    let start = cacheLineAligned(
      Int(bitPattern: block) + MemoryLayout<UnsafeMutableRawPointer>.stride)
    let buffer = block + (start - Int(bitPattern: block))
    (buffer - MemoryLayout<UnsafeMutableRawPointer>.stride).storeBytes(
      of: block, as: UnsafeMutableRawPointer.self)
    return buffer.bindMemory(to: T.self, capacity: Swift.max(1, count))
  }

  /// Frees a buffer from `allocate` (the block `calloc` returned, stored just before it).
  public static func release<T>(_ buffer: UnsafeMutablePointer<T>) {
    let raw = UnsafeMutableRawPointer(buffer)
    free(
      (raw - MemoryLayout<UnsafeMutableRawPointer>.stride).load(
        as: UnsafeMutableRawPointer.self))
  }

  /// Checks that an array of `count` elements can be allocated before Swift allocates it (Swift
  /// aborts when it cannot): within the budget, and granted by the allocator right now.
  public static func reserve(
    _ shape: [Int], bytesPerElement: Int, of what: @autoclosure () -> String,
    at location: SourceRange?
  ) throws(EvaluationError) {
    let count = try elementCount(shape, bytesPerElement: bytesPerElement, of: what(), at: location)
    let probe: UnsafeMutablePointer<UInt8> = try allocate(
      count * bytesPerElement, of: what(), at: location)
    release(probe)
  }

  public static func describe(_ bytes: Int) -> String { MemoryLimit.describe(bytes) }
}
