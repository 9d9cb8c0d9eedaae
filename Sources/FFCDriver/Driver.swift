import FFCDiagnostics
import FFCTensor

/// The command line: picks the subcommand and turns usage errors into their exit code. All CLI
/// logic lives here and in the commands, so tests run it in-process; `main.swift` only calls it.
public enum Driver {
  public static let version = "0.1.0"

  static var commands: [any Command.Type] {
    [
      CompileCommand.self, RunCommand.self, TrainCommand.self, CheckCommand.self, PlotCommand.self,
      ViewCommand.self, ExportCommand.self, ImportCommand.self, BenchCommand.self, HelpCommand.self,
    ]
  }

  static func command(named name: String) -> (any Command.Type)? {
    commands.first { $0.name == name }
  }

  static var overview: String {
    let width = commands.map { $0.name.count }.max() ?? 0
    let list = commands.map {
      "  " + $0.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + $0.abstract
    }
    return """
      ffc \(version): a symbol-to-symbol differentiation compiler for feedforward networks

      usage: ffc <command> [<arguments>]

      commands:
      \(list.joined(separator: "\n"))

      Run 'ffc help <command>' or 'ffc <command> --help' for a command's options.
        ffc --version    print the version

      exit codes: 0 success, 1 an error in the program or data, 2 a usage error, 3 an internal error,
      130 stopped by Ctrl-C
      """
  }

  static func unknownCommand(_ name: String) -> UsageError {
    let suggestion =
      EditDistance.closest(to: name, in: commands.map { $0.name }).map { "; did you mean '\($0)'?" }
      ?? ""
    return UsageError(
      "unknown command '\(name)'\(suggestion)", usage: "ffc <command> [<arguments>]", helpTopic: "")
  }

  /// Runs ffc with `arguments` (without the program name) and returns the exit code.
  public static func run(_ arguments: [String], _ io: inout CommandIO) -> ExitCode {
    guard let first = arguments.first else {
      io.out(overview + "\n")
      return .success
    }
    do {
      switch first {
      case "--help", "-h":
        io.out(overview + "\n")
        return .success
      case "--version":
        io.out("ffc \(version)\n")
        return .success
      default:
        guard let command = command(named: first) else { throw unknownCommand(first) }
        // FFC_ISA naming a kernel path this CPU cannot run (or none at all) is a usage error.
        if let problem = Compute.isaChoice.problem { throw UsageError(problem) }
        return try command.run(Array(arguments.dropFirst()), &io)
      }
    } catch let error as UsageError {
      io.err(error.rendered)
      return .usage
    } catch {
      io.err(DiagnosticRenderer(files: []).render(.unexpected(error)))
      return .internalError
    }
  }
}
