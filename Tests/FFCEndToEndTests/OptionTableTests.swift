import FFCTensor
import Testing

@testable import FFCDriver

/// Every command's usage line, help and scanning come from its one option table: the help lists
/// exactly the spellings the scanner accepts, and an option shared by commands is the same option
/// in each.
@Suite struct OptionTableTests {
  /// The commands with options (`help` takes a command name only).
  static let commands = Driver.commands.filter { !$0.options.isEmpty }

  /// The spellings the help's options section lists: each row's label up to its placeholder.
  static func helpSpellings(_ help: String) -> [String] {
    guard let section = help.split(separator: "\noptions:\n").dropFirst().first else { return [] }
    var names: [String] = []
    for line in section.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.isEmpty { break }
      guard line.hasPrefix("  -") else { continue }
      let label = line.dropFirst(2).components(separatedBy: "  ")[0]
      for spelling in label.components(separatedBy: ", ") {
        names.append(String(spelling.split(separator: " ")[0]))
      }
    }
    return names
  }

  @Test(arguments: commands.map { $0.name })
  func helpListsExactlyTheSpellingsTheScannerAccepts(command: String) throws {
    let type = try #require(Driver.command(named: command))
    let declared = type.options.flatMap(\.names)
    #expect(Set(declared).count == declared.count, "a spelling declared twice in \(command)")
    #expect(Self.helpSpellings(type.help).sorted() == declared.sorted(), "\(type.help)")
    for option in type.options {
      for name in option.names {
        // With --help the values are not checked: this asks only whether the spelling is known.
        let arguments = [name] + (option.takesValue ? ["value"] : []) + ["--help"]
        let args = try ArgumentScanner(
          arguments, table: type.options, command: command, usage: type.usage)
        #expect(args.helpRequested && args.positionals.isEmpty, "\(command) \(name)")
      }
    }
    #expect(throws: UsageError.self) {
      try ArgumentScanner(
        ["--not-an-option"], table: type.options, command: command, usage: type.usage)
    }
  }

  @Test(arguments: commands.map { $0.name })
  func usageLineShowsEveryOptionButHelp(command: String) throws {
    let type = try #require(Driver.command(named: command))
    #expect(type.usage.hasPrefix("ffc \(command) \(type.operands) "))
    for option in type.options where option.key != Option.help.key {
      #expect(type.usage.contains(option.usage), "\(option.usage) in \(type.usage)")
    }
    #expect(!type.usage.contains("--help"))
    #expect(type.help.hasPrefix("usage: \(type.usage)\n\n"))
  }

  @Test func aSharedOptionIsTheSameOptionInEveryCommand() {
    let shared: [any OptionDeclaration] = [
      Option.seed, Option.precision, Option.color, Option.set, Option.data, Option.optimization,
      Option.checkNumerics, Option.learningRate, Option.help,
    ]
    for declaration in shared {
      let users = Self.commands.compactMap { command in
        command.options.first { $0.key == declaration.key }
      }
      #expect(users.count >= 2, "'\(declaration.key)' is shared")
      for option in users {
        // A command may add a spelling (compile's --raw for -O0), not change one.
        #expect(Set(option.names).isSuperset(of: declaration.names))
        #expect(option.takesValue == declaration.takesValue)
        // The same in the usage line, bracketed or not (train requires --data).
        if option.names == declaration.names {
          #expect(declaration.usage.contains(option.usage))
        }
      }
    }
  }

  @Test func valuesAreReadTypedWithTheirDefaults() throws {
    let table: [any OptionDeclaration] = [
      Option.seed, Option.precision, Option.set, Option.optimization, Option.color, Option.help,
    ]
    func scan(_ arguments: [String]) throws -> ArgumentScanner {
      try ArgumentScanner(arguments, table: table, command: "test", usage: "ffc test")
    }
    let defaults = try scan(["a.ffn"])
    #expect(defaults[.seed] == 0 && defaults[.precision] == .f32 && defaults[.optimization])
    #expect(defaults[.color] == .auto && defaults.all(.set).isEmpty && !defaults.given(.seed))
    #expect(defaults.positionals == ["a.ffn"])
    let given = try scan([
      "--seed=7", "--precision", "f64", "--set", "x=1", "--set", "y=2", "-O0", "--color", "never",
    ])
    #expect(given[.seed] == 7 && given[.precision] == Precision.f64 && !given[.optimization])
    #expect(given.all(.set) == ["x=1", "y=2"] && given[.color] == .never)
    // The last of -O0 and -O1 counts, as in other compilers.
    #expect(try scan(["-O0", "-O1"])[.optimization])
  }

  @Test func aBadValueNamesTheOptionAndWhatItTakes() {
    let table: [any OptionDeclaration] = [Option.seed, Option.precision, Option.help]
    for (arguments, message) in [
      (["--seed", "-1"], "'-1' is not a valid value for '--seed'; expected a whole number ≥ 0"),
      (
        ["--precision=f16"],
        "'f16' is not a valid value for '--precision'; expected one of: f32, f64"
      ),
    ] {
      #expect(throws: UsageError(message, usage: "ffc test", helpTopic: "test")) {
        try ArgumentScanner(arguments, table: table, command: "test", usage: "ffc test")
      }
    }
    // Asking for help wins over a bad value, as it does over a missing program file.
    #expect(
      (try? ArgumentScanner(
        ["--seed", "x", "-h"], table: table, command: "test", usage: "ffc test"))?.helpRequested
        == true)
  }
}
