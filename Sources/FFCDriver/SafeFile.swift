import Foundation

/// Reading source and data files, and writing output files without ever leaving a half-written
/// file in place of an existing one: the text goes to a temporary file beside the target, which
/// is then renamed over it.
public enum SafeFile {
  public struct Failure: Error, Sendable {
    public let message: String
  }

  public static func read(_ path: String, displayName: String) throws(Failure) -> String {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw Failure(message: "cannot read '\(displayName)': no such file")
    }
    guard !isDirectory.boolValue else {
      throw Failure(message: "cannot read '\(displayName)': it is a directory")
    }
    // Opened as a file descriptor, so a device or a pipe (/dev/null, /dev/stdin) reads as the
    // text it gives, and a refusal says why.
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else {
      throw Failure(message: "cannot read '\(displayName)': \(describeErrno(errno))")
    }
    defer { close(descriptor) }
    var data = Data()
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let count = chunk.withUnsafeMutableBytes { readBytes(descriptor, $0.baseAddress, $0.count) }
      if count == 0 { break }
      if count < 0 {
        if errno == EINTR { continue }
        throw Failure(message: "cannot read '\(displayName)': \(describeErrno(errno))")
      }
      data.append(contentsOf: chunk[0..<count])
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw Failure(message: "cannot read '\(displayName)': it is not UTF-8 text")
    }
    return text
  }

  public static func write(_ text: String, to path: String, displayName: String) throws(Failure) {
    // A target that exists and is not a regular file (/dev/null, a pipe, a terminal) is written
    // in place: renaming a file over it would replace the device with a file.
    var status = stat()
    if stat(path, &status) == 0, status.st_mode & S_IFMT != S_IFREG,
      status.st_mode & S_IFMT != S_IFDIR
    {
      guard let handle = FileHandle(forWritingAtPath: path) else {
        throw Failure(message: "cannot write '\(displayName)': permission denied")
      }
      handle.write(Data(text.utf8))
      try? handle.close()
      return
    }
    let url = URL(fileURLWithPath: path)
    let directory = url.deletingLastPathComponent()
    // Unique per write, not only per process: two writes in one process must not share it.
    let temporary = directory.appendingPathComponent(
      ".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).\(UUID().uuidString).tmp"
    )
    do {
      try Data(text.utf8).write(to: temporary)
    } catch {
      throw Failure(message: "cannot write '\(displayName)': \(reason(error, in: directory))")
    }
    if rename(temporary.path, url.path) != 0 {
      let code = errno
      try? FileManager.default.removeItem(at: temporary)
      throw Failure(message: "cannot write '\(displayName)': \(String(cString: strerror(code)))")
    }
  }

  /// Why the temporary file beside the target could not be written. "No such file" means the
  /// directory is missing only when it is: /proc exists but takes no new files.
  private static func reason(_ error: Error, in directory: URL) -> String {
    var isDirectory: ObjCBool = false
    let exists = FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory)
    let nsError = error as NSError
    if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError,
      underlying.domain == NSPOSIXErrorDomain
    {
      if underlying.code == Int(ENOENT) && exists {
        return "its directory '\(directory.path)' does not take new files"
      }
      return describeErrno(Int32(underlying.code))
    }
    if nsError.domain == NSCocoaErrorDomain,
      nsError.code == NSFileNoSuchFileError || nsError.code == 4
    {
      return exists && isDirectory.boolValue
        ? "its directory '\(directory.path)' does not take new files" : "no such directory"
    }
    return nsError.localizedDescription
  }

  /// The C library's read(2), which `read` names here.
  private static func readBytes(
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

  /// The system's reason, lower-cased as ffc's messages are ("permission denied").
  private static func describeErrno(_ code: Int32) -> String {
    let text = String(cString: strerror(code))
    return text.prefix(1).lowercased() + text.dropFirst()
  }
}
