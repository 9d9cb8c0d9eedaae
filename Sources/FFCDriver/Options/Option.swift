/// One command-line option, declared once: its spellings, the value it takes and how that value is
/// read and checked, its default and its help. A command lists the options it takes in its option
/// table; its usage line, its help, the scanning of its arguments and their usage errors all come
/// from that table, and it reads each option back typed: `args[.seed]` is a `UInt64`.
///
/// Options shared by commands (`--seed`, `--precision`, ...) are declared once, in
/// SharedOptions.swift; a command may give one a help line of its own (`.withHelp(...)`), which says
/// what the option does there, but not other spellings or another reading of its value.
struct Option<Value: Sendable>: OptionDeclaration {
  /// Spellings that mean the same (`-h`, `--help`), and their line in the help.
  struct Row: Sendable {
    var names: [String]
    var help: String
  }

  /// How an option's value is written and read.
  struct Reader: Sendable {
    /// The value's name in the help (`<n>`) and in the usage line (the choices, `f32|f64`, when
    /// there are few).
    let placeholder: String
    let usagePlaceholder: String
    /// The message for a text that is not a value: by default "'x' is not a valid value for
    /// '--seed'; expected a whole number ≥ 0".
    let invalid: @Sendable (_ text: String, _ key: String) -> String
    /// The value a text means, or nil when it means none.
    let read: @Sendable (String) -> Value?
  }

  enum Form: Sendable {
    /// A flag: each row's spellings give that row's value (`-O0` false, `-O1` true).
    case flag([Value])
    /// An option with a value, given as `--seed 3` or `--seed=3`; it has one row.
    case value(Reader)
  }

  /// The name the scanner files the option's values under: its first spelling as declared.
  let key: String
  private(set) var rows: [Row]
  let form: Form
  /// The value when the option is not given.
  let defaultValue: Value
  /// Given more than once, every value counts (`--set`), not only the last.
  let isRepeatable: Bool
  /// Listed without brackets in the usage line. The command checks that it was given, as only it
  /// knows what its absence means.
  private(set) var isRequired = false

  init(_ rows: [Row], form: Form, default defaultValue: Value, repeatable: Bool = false) {
    precondition(!rows.isEmpty && rows.allSatisfy { !$0.names.isEmpty })
    key = rows[0].names[0]
    self.rows = rows
    self.form = form
    self.defaultValue = defaultValue
    isRepeatable = repeatable
  }

  /// The same option with the help this command gives it, one text per row.
  func withHelp(_ texts: String...) -> Self {
    precondition(texts.count == rows.count, "one help text per row of '\(key)'")
    var copy = self
    for (index, text) in texts.enumerated() { copy.rows[index].help = text }
    return copy
  }

  /// The same option with one more spelling in the row of `name` (`--raw` for `-O0`).
  func alias(_ alias: String, of name: String) -> Self {
    var copy = self
    guard let row = rows.firstIndex(where: { $0.names.contains(name) }) else {
      preconditionFailure("'\(key)' has no spelling '\(name)'")
    }
    copy.rows[row].names.insert(alias, at: 0)
    return copy
  }

  /// The same option, shown as required in the usage line.
  func required() -> Self {
    var copy = self
    copy.isRequired = true
    return copy
  }
}

/// A flag: present or not.
extension Option where Value == Bool {
  init(flag names: String..., help: String) {
    self.init([Row(names: names, help: help)], form: .flag([true]), default: false)
  }
}

/// An option whose value is checked by `read`, with the standard message when it fails.
extension Option {
  init(
    _ names: String..., placeholder: String, usage: String? = nil, expected: String,
    default defaultValue: Value, repeatable: Bool = false, help: String,
    read: @escaping @Sendable (String) -> Value?
  ) {
    let reader = Reader(
      placeholder: placeholder, usagePlaceholder: usage ?? placeholder,
      invalid: { text, key in "'\(text)' is not a valid value for '\(key)'; expected \(expected)" },
      read: read)
    self.init(
      [Row(names: names, help: help)], form: .value(reader), default: defaultValue,
      repeatable: repeatable)
  }
}

/// An option that takes one of a few words (`--precision f32|f64`).
extension Option where Value: CaseIterable & RawRepresentable<String> {
  init(_ names: String..., choosing placeholder: String? = nil, default: Value, help: String) {
    let choices = Value.allCases.map(\.rawValue)
    let reader = Reader(
      placeholder: placeholder ?? choices.joined(separator: "|"),
      usagePlaceholder: choices.joined(separator: "|"),
      invalid: { text, key in
        "'\(text)' is not a valid value for '\(key)'; expected one of: \(choices.joined(separator: ", "))"
      },
      read: { Value(rawValue: $0) })
    self.init([Row(names: names, help: help)], form: .value(reader), default: `default`)
  }
}

/// Text taken as given (a file name), nil when the option is absent.
extension Option where Value == String? {
  init(_ names: String..., file placeholder: String, help: String) {
    let reader = Reader(
      placeholder: placeholder, usagePlaceholder: placeholder, invalid: { _, _ in "" },
      read: { $0 })
    self.init([Row(names: names, help: help)], form: .value(reader), default: nil)
  }
}

/// What the scanner and the help need of an option, whatever the type of its value: a command's
/// option table is a list of these.
protocol OptionDeclaration: Sendable {
  var key: String { get }
  /// Every spelling, in the order of the help.
  var names: [String] { get }
  var takesValue: Bool { get }
  /// The command cannot run without it (`train --data`): missing, it is a usage error.
  var isRequired: Bool { get }
  /// The option in the usage line: `[--seed <n>]`, `[--set <name>=<values>]...`.
  var usage: String { get }
  /// The option's lines in the help: a label (`--seed <n>`) and what it does.
  var helpRows: [(label: String, help: String)] { get }
  /// The value that `name` given (with `text`, for an option that takes one) means; nil when the
  /// text means none.
  func value(_ name: String, _ text: String?) -> (any Sendable)?
  /// Why `text` is not a value of the option.
  func invalidValueMessage(_ text: String) -> String
}

extension Option {
  var names: [String] { rows.flatMap(\.names) }

  var takesValue: Bool {
    if case .value = form { return true }
    return false
  }

  var usage: String {
    let spelled: String
    switch form {
    case .flag: spelled = Self.folded(names).joined(separator: "|")
    case .value(let reader): spelled = "\(key) \(reader.usagePlaceholder)"
    }
    return (isRequired ? spelled : "[\(spelled)]") + (isRepeatable ? "..." : "")
  }

  var helpRows: [(label: String, help: String)] {
    switch form {
    case .flag: rows.map { ($0.names.joined(separator: ", "), $0.help) }
    case .value(let reader):
      rows.map { ($0.names.joined(separator: ", ") + " " + reader.placeholder, $0.help) }
    }
  }

  func value(_ name: String, _ text: String?) -> (any Sendable)? {
    switch form {
    case .flag(let values):
      return rows.firstIndex { $0.names.contains(name) }.map { values[$0] }
    case .value(let reader):
      return text.flatMap(reader.read)
    }
  }

  func invalidValueMessage(_ text: String) -> String {
    guard case .value(let reader) = form else { return "option '\(key)' takes no value" }
    return reader.invalid(text, key)
  }

  /// `--stats` and `--stats=counts` read as `--stats[=counts]`.
  private static func folded(_ names: [String]) -> [String] {
    var folded: [String] = []
    for name in names {
      if let equals = name.firstIndex(of: "="),
        let base = folded.firstIndex(of: String(name[..<equals]))
      {
        folded[base] += "[\(name[equals...])]"
      } else {
        folded.append(name)
      }
    }
    return folded
  }
}
