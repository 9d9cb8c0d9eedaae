import FFCDriver
import Foundation

var io = CommandIO()
io.errorIsTerminal = isatty(STDERR_FILENO) != 0
let code = Driver.run(Array(CommandLine.arguments.dropFirst()), &io)
FileHandle.standardOutput.write(Data(io.standardOutput.utf8))
FileHandle.standardError.write(Data(io.standardError.utf8))
exit(code.rawValue)
