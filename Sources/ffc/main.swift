import FFCDriver
import Foundation

/// Writes all of `text` to a descriptor; false, with errno set, when the system refuses.
func writeAll(_ text: String, to descriptor: Int32) -> Bool {
  var bytes = Array(text.utf8)[...]
  while !bytes.isEmpty {
    let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    if written < 0 {
      if errno == EINTR { continue }
      return false
    }
    bytes = bytes.dropFirst(written)
  }
  return true
}

var io = CommandIO()
io.errorIsTerminal = isatty(STDERR_FILENO) != 0
io.outputIsTerminal = isatty(STDOUT_FILENO) != 0
// Standard output on a full disk (or any refused write) is a data error like a failed -o
// write: said once on stderr, exit 1, where FileHandle.write would trap.
io.writeOutput = { text in
  guard writeAll(text, to: STDOUT_FILENO) else {
    let reason = String(cString: strerror(errno))
    _ = writeAll(
      "ffc: error: cannot write to standard output: \(reason.prefix(1).lowercased() + reason.dropFirst())\n",
      to: STDERR_FILENO)
    exit(ExitCode.programError.rawValue)
  }
}
io.writeError = { _ = writeAll($0, to: STDERR_FILENO) }
let code = Driver.run(Array(CommandLine.arguments.dropFirst()), &io)
exit(code.rawValue)
