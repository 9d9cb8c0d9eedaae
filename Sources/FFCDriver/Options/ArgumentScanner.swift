import FFCDiagnostics

/// A small hand-written scanner for `--flag`, `--option value`, `--option=value` and positional
/// arguments, against a command's option table: an option the table does not declare is reported
/// with a suggestion, a value is checked as the option declares, and each is read back typed.
struct ArgumentScanner {
  private let table: [any OptionDeclaration]
  /// The values given, in order, each filed under its option's key.
  private var values: [(key: String, value: any Sendable)] = []
  private(set) var positionals: [String] = []
  /// `-h` or `--help` was given: the command shows its help, and the values are not checked.
  private(set) var helpRequested = false

  /// Scans `arguments` against `table`; a usage error names `command` and shows `usage`.
  init(_ arguments: [String], table: [any OptionDeclaration], command: String, usage: String)
    throws(UsageError)
  {
    self.table = table
    func mistake(_ message: String) -> UsageError {
      UsageError(message, usage: usage, helpTopic: command)
    }
    var given: [(option: any OptionDeclaration, name: String, text: String?)] = []
    var index = 0
    var onlyPositionals = false
    while index < arguments.count {
      let argument = arguments[index]
      index += 1
      if onlyPositionals || !argument.hasPrefix("-") || argument == "-" {
        positionals.append(argument)
        continue
      }
      if argument == "--" {
        onlyPositionals = true
        continue
      }
      // A spelling declared whole (`--stats=counts`) wins over splitting at '='.
      let (name, inlineValue) =
        table.contains { $0.names.contains(argument) } ? (argument, nil) : Self.split(argument)
      guard let option = table.first(where: { $0.names.contains(name) }) else {
        let hint =
          EditDistance.closest(to: name, in: table.flatMap(\.names)).map {
            "; did you mean '\($0)'?"
          } ?? ""
        throw mistake("unknown option '\(name)' for '\(command)'\(hint)")
      }
      if option.takesValue {
        if let inlineValue {
          given.append((option, name, inlineValue))
        } else if index < arguments.count {
          given.append((option, name, arguments[index]))
          index += 1
        } else {
          throw mistake("option '\(name)' needs a value")
        }
      } else {
        guard inlineValue == nil else { throw mistake("option '\(name)' takes no value") }
        given.append((option, name, nil))
      }
    }
    helpRequested = given.contains { $0.option.key == Option.help.key }
    guard !helpRequested else { return }
    if let missing = table.first(where: { option in
      option.isRequired && !given.contains { $0.option.key == option.key }
    }) {
      throw mistake("'\(command)' needs \(missing.usage)")
    }
    for (option, name, text) in given {
      guard let value = option.value(name, text) else {
        throw mistake(option.invalidValueMessage(text ?? ""))
      }
      values.append((option.key, value))
    }
  }

  /// The option's value: the last one given, or its default.
  subscript<Value>(_ option: Option<Value>) -> Value {
    all(option).last ?? option.defaultValue
  }

  /// Every value given for the option, in order (for a repeatable one such as `--set`).
  func all<Value>(_ option: Option<Value>) -> [Value] {
    precondition(
      table.contains { $0.key == option.key }, "'\(option.key)' is not in the command's options")
    return values.compactMap { $0.key == option.key ? $0.value as? Value : nil }
  }

  /// Whether the option was given at all (`--reduce` applies only to some programs).
  func given<Value>(_ option: Option<Value>) -> Bool { !all(option).isEmpty }

  private static func split(_ argument: String) -> (String, String?) {
    guard argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") else {
      return (argument, nil)
    }
    return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
  }
}
