import Foundation

/// A file's bytes, memory-mapped read-only so that reading a large weights or data file costs
/// only the pages being converted; a file that cannot be mapped (a pipe, a device) is read into
/// memory instead. Pages already converted can be given back (`release`), so the resident size of
/// a long read stays near its output.
public final class MappedFile: @unchecked Sendable {
  /// As the user named the file, for messages.
  public let displayName: String
  public let count: Int
  private let base: UnsafeRawPointer?
  private let mapped: Bool

  public init(_ path: String, displayName: String) throws(FormatError) {
    self.displayName = displayName
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else {
      throw FormatError(
        displayName, "cannot open it: \(String(cString: strerror(errno)).lowercased())")
    }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else {
      throw FormatError(
        displayName, "cannot read it: \(String(cString: strerror(errno)).lowercased())")
    }
    if status.st_mode & S_IFMT == S_IFDIR { throw FormatError(displayName, "it is a directory") }
    if status.st_mode & S_IFMT == S_IFREG {
      let size = Int(status.st_size)
      if size == 0 {
        (base, count, mapped) = (nil, 0, false)
        return
      }
      if let pointer = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0),
        pointer != MAP_FAILED
      {
        (base, count, mapped) = (UnsafeRawPointer(pointer), size, true)
        return
      }
    }
    let bytes = try Self.readAll(descriptor, displayName)
    let copy = UnsafeMutableRawPointer.allocate(byteCount: max(1, bytes.count), alignment: 16)
    bytes.withUnsafeBytes { copy.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
    (base, count, mapped) = (UnsafeRawPointer(copy), bytes.count, false)
  }

  /// Bytes given directly (tests, fuzzing): copied, not mapped.
  public init(bytes: [UInt8], displayName: String) {
    self.displayName = displayName
    let copy = UnsafeMutableRawPointer.allocate(byteCount: max(1, bytes.count), alignment: 16)
    bytes.withUnsafeBytes {
      if let b = $0.baseAddress { copy.copyMemory(from: b, byteCount: bytes.count) }
    }
    (base, count, mapped) = (UnsafeRawPointer(copy), bytes.count, false)
  }

  deinit {
    guard let base else { return }
    if mapped {
      munmap(UnsafeMutableRawPointer(mutating: base), count)
    } else {
      UnsafeMutableRawPointer(mutating: base).deallocate()
    }
  }

  /// The file's bytes; valid while this object lives.
  public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

  /// Tells the system the pages of `range` are no longer needed (they are read again from the
  /// file if touched). Only whole pages inside the range are released.
  public func release(_ range: Range<Int>) {
    guard mapped, let base else { return }
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    let start = (range.lowerBound + page - 1) / page * page
    let end = range.upperBound / page * page
    guard start < end else { return }
    madvise(UnsafeMutableRawPointer(mutating: base + start), end - start, Int32(MADV_DONTNEED))
  }

  private static func readAll(_ descriptor: Int32, _ name: String) throws(FormatError) -> [UInt8] {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let n = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
      if n == 0 { return bytes }
      if n < 0 {
        if errno == EINTR { continue }
        throw FormatError(name, "cannot read it: \(String(cString: strerror(errno)).lowercased())")
      }
      bytes.append(contentsOf: chunk[0..<n])
    }
  }
}
