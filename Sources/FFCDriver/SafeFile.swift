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
    guard let data = FileManager.default.contents(atPath: path) else {
      throw Failure(message: "cannot read '\(displayName)': permission denied or unreadable")
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
      throw Failure(message: "cannot write '\(displayName)': \(reason(error))")
    }
    if rename(temporary.path, url.path) != 0 {
      let code = errno
      try? FileManager.default.removeItem(at: temporary)
      throw Failure(message: "cannot write '\(displayName)': \(String(cString: strerror(code)))")
    }
  }

  private static func reason(_ error: Error) -> String {
    let nsError = error as NSError
    if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError,
      underlying.domain == NSPOSIXErrorDomain
    {
      return String(cString: strerror(Int32(underlying.code)))
    }
    if nsError.domain == NSCocoaErrorDomain,
      nsError.code == NSFileNoSuchFileError || nsError.code == 4
    {
      return "no such directory"
    }
    return nsError.localizedDescription
  }
}
