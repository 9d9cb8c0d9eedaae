/// `ffc help [command]`.
public enum HelpCommand: Command {
  public static let name = "help"
  public static let abstract = "show help for ffc or one of its commands"
  static let operands = "[<command>]"
  static let options: [any OptionDeclaration] = []
  static var discussion: String { "" }
  static var epilogue: String { "" }
  public static var help: String { Driver.overview }

  public static func run(_ arguments: [String], _ io: inout CommandIO) throws -> ExitCode {
    guard let topic = arguments.first else {
      io.out(Driver.overview + "\n")
      return .success
    }
    guard arguments.count == 1 else {
      throw UsageError("'help' takes at most one command name", usage: usage, helpTopic: "")
    }
    guard let command = Driver.command(named: topic) else {
      throw Driver.unknownCommand(topic)
    }
    io.out(command.help + "\n")
    return .success
  }
}
