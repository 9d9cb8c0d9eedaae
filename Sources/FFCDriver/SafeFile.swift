import Foundation

/// Reading source and data files, and writing output files without ever leaving a half-written
/// file in place of an existing one: the bytes go to a temporary file beside the target, are
/// flushed to disk (fsync), and the temporary file is renamed over the target. A target that is a
/// symbolic link is written through to the file it names (the link stays a link), and a file
/// that is replaced keeps its permissions.
public enum SafeFile {
  public struct Failure: Error, Sendable {
    public let message: String
  }

  public static func read(_ path: String, displayName: String) throws(Failure) -> String {
    String(decoding: try readUTF8(path, displayName: displayName), as: UTF8.self)
  }

  public static func readBytes(_ path: String, displayName: String) throws(Failure) -> Data {
    Data(try readArray(path, displayName: displayName))
  }

  /// The file's bytes, checked to be UTF-8 but not copied into a String: a large CSV file is held
  /// once (SourceFile(path:bytes:) keeps these bytes).
  public static func readUTF8(_ path: String, displayName: String) throws(Failure) -> [UInt8] {
    let bytes = try readArray(path, displayName: displayName)
    let invalid = transcode(
      bytes.makeIterator(), from: UTF8.self, to: UTF32.self, stoppingOnError: true, into: { _ in })
    guard !invalid else {
      throw Failure(message: "cannot read '\(displayName)': it is not UTF-8 text")
    }
    return bytes
  }

  /// A file read a block at a time (a large CSV file is parsed as it comes, never held whole).
  public final class Blocks {
    private let descriptor: Int32
    private let displayName: String
    /// The size a regular file states (0 for a pipe or a device).
    public let size: Int
    /// Bytes per block.
    static let block = 1 << 20

    public init(_ path: String, displayName: String) throws(Failure) {
      descriptor = try SafeFile.openForReading(path, displayName: displayName)
      self.displayName = displayName
      var status = stat()
      size = fstat(descriptor, &status) == 0 ? Int(max(0, status.st_size)) : 0
    }

    deinit { close(descriptor) }

    /// Appends the next block to `bytes`; false at the end of the file.
    public func next(into bytes: inout [UInt8]) throws(Failure) -> Bool {
      let start = bytes.count
      bytes.append(contentsOf: repeatElement(0, count: Self.block))
      while true {
        let count = bytes.withUnsafeMutableBytes {
          readChunk(descriptor, $0.baseAddress! + start, Self.block)
        }
        if count < 0 && errno == EINTR { continue }
        if count < 0 {
          bytes.removeSubrange(start...)
          throw Failure(message: "cannot read '\(displayName)': \(describe(errno))")
        }
        bytes.removeSubrange((start + count)...)
        return count > 0
      }
    }
  }

  /// Opens a file for reading: a missing file or a directory is an error naming it.
  private static func openForReading(_ path: String, displayName: String) throws(Failure) -> Int32 {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw Failure(message: "cannot read '\(displayName)': no such file")
    }
    guard !isDirectory.boolValue else {
      throw Failure(message: "cannot read '\(displayName)': it is a directory")
    }
    // Opened as a file descriptor, so a device or a pipe (/dev/null, /dev/stdin) reads as the
    // text it gives, and a refusal says why.
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else {
      throw Failure(message: "cannot read '\(displayName)': \(describe(errno))")
    }
    return descriptor
  }

  private static func readArray(_ path: String, displayName: String) throws(Failure) -> [UInt8] {
    let descriptor = try openForReading(path, displayName: displayName)
    defer { close(descriptor) }
    var bytes: [UInt8] = []
    // Reserved to the stated size (plus one byte to see the end) so a regular file is read into
    // one buffer without regrowing; a pipe grows as it must.
    var status = stat()
    if fstat(descriptor, &status) == 0, status.st_size > 0 {
      bytes.reserveCapacity(Int(status.st_size) + 1)
    }
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let count = chunk.withUnsafeMutableBytes { readChunk(descriptor, $0.baseAddress, $0.count) }
      if count == 0 { break }
      if count < 0 {
        if errno == EINTR { continue }
        throw Failure(message: "cannot read '\(displayName)': \(describe(errno))")
      }
      bytes.append(contentsOf: chunk[0..<count])
    }
    return bytes
  }

  /// Writes the text's UTF-8 bytes where they are (a large saved program is not copied again).
  public static func write(_ text: String, to path: String, displayName: String) throws(Failure) {
    var text = text
    let failure = text.withUTF8 { write(UnsafeRawBufferPointer($0), to: path, displayName) }
    if let failure { throw failure }
  }

  public static func write(_ data: Data, to path: String, displayName: String) throws(Failure) {
    let failure = data.withUnsafeBytes { write($0, to: path, displayName) }
    if let failure { throw failure }
  }

  private static func write(_ data: UnsafeRawBufferPointer, to path: String, _ displayName: String)
    -> Failure?
  {
    do throws(Failure) {
      try writeReplacing(to: path, displayName: displayName) { put in put(data) }
      return nil
    } catch {
      return error
    }
  }

  /// Writes the bytes `produce` hands to its argument, piece by piece, the same safe way (a
  /// temporary file, fsync, rename): a large file is never built whole in memory. `produce`
  /// stops when a piece cannot be written (its argument returns false).
  public static func write(
    to path: String, displayName: String,
    _ produce: (_ put: (UnsafeRawBufferPointer) -> Bool) -> Void
  ) throws(Failure) {
    try writeReplacing(to: path, displayName: displayName) { put in
      withoutActuallyEscaping(put) { put in
        var failure: Int32?
        produce { bytes in
          failure = put(bytes)
          return failure == nil
        }
        return failure
      }
    }
  }

  /// `produce` writes its pieces with the function it is given (an errno, or nil) and returns
  /// the first failure.
  private static func writeReplacing(
    to path: String, displayName: String,
    _ produce: (_ put: (UnsafeRawBufferPointer) -> Int32?) -> Int32?
  ) throws(Failure) {
    let target = followingLinks(path)
    // A target that exists and is not a regular file (/dev/null, a pipe, a terminal), or a device
    // name (/dev/stdout, which may stand for a file the shell opened), is written in place:
    // renaming a file over it would replace the device, or the shell's file, with a new one.
    var status = stat()
    let exists = stat(target, &status) == 0
    if isDevice(path)
      || (exists && status.st_mode & S_IFMT != S_IFREG && status.st_mode & S_IFMT != S_IFDIR)
    {
      let descriptor = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
      guard descriptor >= 0 else {
        throw Failure(message: "cannot write '\(displayName)': \(describe(errno))")
      }
      defer { close(descriptor) }
      if let code = produce({ writeAll($0, to: descriptor) }) {
        throw Failure(message: "cannot write '\(displayName)': \(describe(code))")
      }
      return
    }
    try checkWritable(path, displayName: displayName)
    let url = URL(fileURLWithPath: target)
    // Unique per write, not only per process: two writes in one process must not share it.
    let temporary = url.deletingLastPathComponent().appendingPathComponent(
      ".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).\(UUID().uuidString).tmp"
    ).path
    // A replaced file keeps its permission bits; a new one gets the usual 0666 less the umask.
    let mode = exists ? mode_t(status.st_mode & 0o7777) : 0o666
    if let code = writeSynced(produce, to: temporary, mode: mode, chmod: exists) {
      unlink(temporary)
      throw Failure(message: "cannot write '\(displayName)': \(describe(code))")
    }
    if rename(temporary, target) != 0 {
      let code = errno
      unlink(temporary)
      throw Failure(message: "cannot write '\(displayName)': \(describe(code))")
    }
    syncDirectory(of: target)
  }

  /// Whether `path` can be written, checked before any work that would be lost: its directory
  /// exists and is writable, and it is not itself a directory. A failure names the file.
  public static func checkWritable(_ path: String, displayName: String) throws(Failure) {
    if isDevice(path) {
      guard access(path, W_OK) == 0 else {
        throw Failure(message: "cannot write '\(displayName)': \(describe(errno))")
      }
      return
    }
    let target = followingLinks(path)
    var status = stat()
    if stat(target, &status) == 0 {
      if status.st_mode & S_IFMT == S_IFDIR {
        throw Failure(message: "cannot write '\(displayName)': it is a directory")
      }
      if status.st_mode & S_IFMT != S_IFREG {
        guard access(target, W_OK) == 0 else {
          throw Failure(message: "cannot write '\(displayName)': permission denied")
        }
        return
      }
    }
    let directory = URL(fileURLWithPath: target).deletingLastPathComponent().path
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory),
      isDirectory.boolValue
    else {
      throw Failure(message: "cannot write '\(displayName)': no such directory")
    }
    // Trying is the only sure test: permission bits do not bind root, and a read-only mount or
    // /proc refuses files whatever its bits say.
    let probe =
      directory + "/.ffc-probe.\(ProcessInfo.processInfo.processIdentifier).\(UUID().uuidString)"
    let descriptor = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else {
      // The directory exists (checked above), so "no such file" means it takes no new files
      // (/proc), not that it is missing.
      let code = errno
      let why =
        code == ENOENT
        ? "its directory '\(directory)' does not take new files"
        : "cannot create a file in '\(directory)' (\(describe(code)))"
      throw Failure(message: "cannot write '\(displayName)': \(why)")
    }
    close(descriptor)
    unlink(probe)
  }

  /// `permission denied`: the system's text for an errno, in lower case as ffc's messages are.
  static func describe(_ code: Int32) -> String {
    String(cString: strerror(code)).lowercased()
  }

  /// Whether two paths name the same existing regular file (the same device and inode, so links,
  /// `..` and different spellings of one file are found). Devices, pipes and terminals are shared
  /// freely (`--log /dev/null --save /dev/null`).
  public static func sameFile(_ a: String, _ b: String) -> Bool {
    var first = stat()
    var second = stat()
    guard stat(a, &first) == 0, stat(b, &second) == 0, first.st_mode & S_IFMT == S_IFREG
    else { return false }
    return first.st_dev == second.st_dev && first.st_ino == second.st_ino
  }

  /// The file a chain of symbolic links ends at (the path itself when it is not a link); a link
  /// whose target does not exist yet resolves to that target, which a write then creates.
  static func followingLinks(_ path: String) -> String {
    if isDevice(path) { return path }
    if let resolved = realpath(path, nil) {
      defer { free(resolved) }
      return String(cString: resolved)
    }
    // It exists, but has no path (a pipe behind /dev/stdout): the system opens it as named.
    var status = stat()
    if stat(path, &status) == 0 { return path }
    var current = path
    // A cycle of links is left to the write to report (ELOOP).
    for _ in 0..<40 {
      guard let destination = try? FileManager.default.destinationOfSymbolicLink(atPath: current)
      else { return current }
      current =
        destination.hasPrefix("/")
        ? destination
        : URL(fileURLWithPath: current).deletingLastPathComponent()
          .appendingPathComponent(destination).path
    }
    return current
  }

  /// Writes `data` to a new file and flushes it to disk; the errno of a failure, or nil.
  private static func writeSynced(
    _ produce: (_ put: (UnsafeRawBufferPointer) -> Int32?) -> Int32?, to path: String,
    mode: mode_t, chmod: Bool
  )
    -> Int32?
  {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
    guard descriptor >= 0 else { return errno }
    defer { close(descriptor) }
    if chmod && fchmod(descriptor, mode) != 0 { return errno }
    if let failure = produce({ writeAll($0, to: descriptor) }) { return failure }
    return fsync(descriptor) == 0 ? nil : errno
  }

  /// Writes every byte of `data`; the errno of a failure, or nil.
  private static func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) -> Int32? {
    var offset = 0
    while offset < bytes.count {
      let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
      if written < 0 {
        if errno == EINTR { continue }
        return errno
      }
      offset += written
    }
    return nil
  }

  /// A name under /dev: a device or one of the process's own streams, never replaced.
  static func isDevice(_ path: String) -> Bool { path.hasPrefix("/dev/") }

  /// Makes the rename durable: the directory entry is flushed too.
  private static func syncDirectory(of path: String) {
    let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
    let descriptor = open(directory, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return }
    fsync(descriptor)
    close(descriptor)
  }

  /// The C library's read(2), which `read` names here.
  private static func readChunk(
    _ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int
  )
    -> Int
  {
    #if os(Linux)
      Glibc.read(descriptor, buffer, count)
    #else
      Darwin.read(descriptor, buffer, count)
    #endif
  }
}
