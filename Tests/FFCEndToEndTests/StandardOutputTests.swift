import FFCTestSupport
import Foundation
import Testing

/// Standard output that refuses a write (a full disk) is an error with exit code 1, as a failed
/// `-o` write is, never a trap.
@Suite struct StandardOutputTests {
  @Test(arguments: [
    ["run", "samples/xor_solution.ffn", "--data", "samples/data/xor.csv"],
    ["run", "samples/fig11_1.ffn", "--emit", "dot"],
    ["compile", "samples/xor.ffn", "--emit-grad"],
  ])
  func aFullStandardOutputIsAnError(arguments: [String]) throws {
    guard let full = FileHandle(forWritingAtPath: "/dev/full") else { return }
    let process = Process()
    process.executableURL = BinaryRunner.executable
    process.arguments = arguments
    process.currentDirectoryURL = Repository.root
    process.standardOutput = full
    let err = Pipe()
    process.standardError = err
    try process.run()
    let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationReason == .exit && process.terminationStatus == 1, "\(message)")
    #expect(message == "ffc: error: cannot write to standard output: no space left on device\n")
  }
}
