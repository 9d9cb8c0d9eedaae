import FFCDriver
import Foundation

var io = CommandIO()
io.errorIsTerminal = isatty(STDERR_FILENO) != 0
io.outputIsTerminal = isatty(STDOUT_FILENO) != 0
io.writeOutput = { FileHandle.standardOutput.write(Data($0.utf8)) }
io.writeError = { FileHandle.standardError.write(Data($0.utf8)) }
let code = Driver.run(Array(CommandLine.arguments.dropFirst()), &io)
exit(code.rawValue)
