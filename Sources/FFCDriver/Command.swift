import FFCDiagnostics

/// One subcommand: its name, its options and its help, and a `run` that reads its arguments and
/// writes to `io`. Its usage line and help are made from its option table and its prose.
protocol Command {
  static var name: String { get }
  /// One line, shown by `ffc help`.
  static var abstract: String { get }
  /// What the usage line names before the options: `<file.ffn>`.
  static var operands: String { get }
  /// The options it takes, in the order its usage line and help list them.
  static var options: [any OptionDeclaration] { get }
  /// The help's prose before the options, and after them (further sections, the exit codes).
  static var discussion: String { get }
  static var epilogue: String { get }
  static var usage: String { get }
  /// The full text of `ffc help <name>`.
  static var help: String { get }
  /// Throws `UsageError` for a mistake in the arguments (Swift's typed throws crash the 6.3
  /// compiler when called through `any Command.Type`, so the protocol throws untyped).
  static func run(_ arguments: [String], _ io: inout CommandIO) throws -> ExitCode
}

extension Command {
  static var usage: String {
    CommandHelp.usage(command: name, operands: operands, options: options)
  }

  static var help: String {
    CommandHelp.help(
      usage: usage, discussion: discussion, options: options, epilogue: epilogue)
  }
}

extension Command {
  /// Whether diagnostics are coloured: only when stderr is a terminal (or `--color always`).
  static func useColor(_ color: ColorChoice, _ io: CommandIO) -> Bool {
    color == .always || (color == .auto && io.errorIsTerminal)
  }

  /// The one program file a command reads (`-` for standard input).
  static func singleInput(_ args: ArgumentScanner) throws(UsageError) -> String {
    guard let path = args.positionals.first else {
      throw UsageError("'\(name)' needs a program file", usage: usage, helpTopic: name)
    }
    guard args.positionals.count == 1 else {
      throw UsageError(
        "'\(name)' takes one program file, got \(args.positionals.count): \(args.positionals.joined(separator: " "))",
        usage: usage, helpTopic: name)
    }
    return path
  }

  /// The program file the arguments name, read; on failure the message is written and nil
  /// returned (exit code 1).
  static func readProgram(_ args: ArgumentScanner, _ io: inout CommandIO) throws(UsageError) -> (
    text: String, displayName: String
  )? {
    let input = try singleInput(args)
    do {
      return try io.readProgram(input)
    } catch {
      report(.cannotRead(error), files: [], io: &io)
      return nil
    }
  }

  /// Compiles a program read by `readProgram`, writing its warnings, or its diagnostics and the
  /// exit code to return when it does not compile.
  static func compile(
    _ program: (text: String, displayName: String), _ options: Compilation.Options, useColor: Bool,
    _ io: inout CommandIO
  ) -> Result<Compilation, ExitCode> {
    let source = SourceFile(path: program.displayName, text: program.text)
    let renderer = DiagnosticRenderer(files: [source], useColor: useColor)
    switch Compilation.compile(source, options: options) {
    case .failure(.diagnostics(let diagnostics, let code)):
      io.err(renderer.render(diagnostics))
      return .failure(code)
    case .success(let (compilation, warnings)):
      io.err(renderer.render(warnings))
      return .success(compilation)
    }
  }

  /// Writes a diagnostic to stderr, rendered against `files` (coloured as `--color` says when the
  /// command has read it, otherwise plain).
  static func report(
    _ diagnostic: Diagnostic, files: [SourceFile], useColor: Bool = false, io: inout CommandIO
  ) {
    io.err(DiagnosticRenderer(files: files, useColor: useColor).render(diagnostic))
  }

  /// The arguments scanned against the command's options; nil when `--help` asked for the help,
  /// which is then printed.
  static func scan(_ arguments: [String], _ io: inout CommandIO) throws(UsageError)
    -> ArgumentScanner?
  {
    let args = try ArgumentScanner(arguments, table: options, command: name, usage: usage)
    guard !args.helpRequested else {
      io.out(help + "\n")
      return nil
    }
    return args
  }
}
