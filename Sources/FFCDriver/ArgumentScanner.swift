import FFCDiagnostics

/// A small hand-written scanner for `--flag`, `--option value`, `--option=value` and positional
/// arguments. Every command declares its options, so unknown ones are reported with a suggestion.
public struct ArgumentScanner {
  public struct OptionSpec: Sendable {
    public let names: [String]
    public let takesValue: Bool
    public init(_ names: [String], takesValue: Bool = false) {
      self.names = names
      self.takesValue = takesValue
    }
  }

  public private(set) var flags: [String] = []
  public private(set) var values: [(String, String)] = []
  public private(set) var positionals: [String] = []

  /// Scans `arguments` against `options`; the first name of each spec is its key.
  public init(_ arguments: [String], options: [OptionSpec], command: String, usage: String)
    throws(UsageError)
  {
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
        options.contains { $0.names.contains(argument) } ? (argument, nil) : Self.split(argument)
      guard let spec = options.first(where: { $0.names.contains(name) }) else {
        let known = options.flatMap(\.names)
        let hint = EditDistance.closest(to: name, in: known).map { "; did you mean '\($0)'?" } ?? ""
        throw UsageError(
          "unknown option '\(name)' for '\(command)'\(hint)", usage: usage, helpTopic: command)
      }
      let key = spec.names[0]
      if spec.takesValue {
        if let inlineValue {
          values.append((key, inlineValue))
        } else if index < arguments.count {
          values.append((key, arguments[index]))
          index += 1
        } else {
          throw UsageError("option '\(name)' needs a value", usage: usage, helpTopic: command)
        }
      } else {
        guard inlineValue == nil else {
          throw UsageError("option '\(name)' takes no value", usage: usage, helpTopic: command)
        }
        flags.append(key)
      }
    }
  }

  public func has(_ flag: String) -> Bool { flags.contains(flag) }

  /// The last value given for an option.
  public func value(_ key: String) -> String? { values.last { $0.0 == key }?.1 }

  /// Every value given for a repeatable option, in order.
  public func allValues(_ key: String) -> [String] { values.filter { $0.0 == key }.map(\.1) }

  /// A value restricted to a set of choices.
  public func choice(_ key: String, _ choices: [String], command: String, usage: String)
    throws(UsageError) -> String?
  {
    guard let value = value(key) else { return nil }
    guard choices.contains(value) else {
      throw UsageError(
        "'\(value)' is not a valid value for '\(key)'; expected one of: \(choices.joined(separator: ", "))",
        usage: usage, helpTopic: command)
    }
    return value
  }

  private static func split(_ argument: String) -> (String, String?) {
    guard argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") else {
      return (argument, nil)
    }
    return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
  }
}
