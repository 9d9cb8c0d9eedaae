import FFCDiagnostics

/// Statements by recursive descent (their nesting is fixed by the grammar); expressions by an
/// operator-precedence (shunting-yard) loop with explicit stacks, so a deeply nested expression
/// cannot overflow the call stack. After an error the parser skips to the next line and goes on,
/// so one run reports every independent error.
public struct Parser {
  let file: SourceFile
  /// Tokens come from the lexer as the parser advances (a long file's tokens are never all in
  /// memory): the one being looked at, the one before it, and the one after it once `peek` has
  /// read it.
  var lexer: Lexer
  private(set) var current: Token
  private(set) var previous: Token?
  private var lookahead: Token?
  /// A list starting before this offset is parsed node by node: reading it as a list of numbers
  /// failed inside it (see `parseNumberList`), so no list within it tries again.
  var numberListsFrom = 0
  public private(set) var diagnostics: [Diagnostic] = []

  public init(_ file: SourceFile) {
    self.file = file
    lexer = Lexer(file)
    current = lexer.nextToken()
  }

  public static func parse(_ file: SourceFile) -> (Program, [Diagnostic]) {
    var parser = Parser(file)
    let program = parser.parseProgram()
    let lexerDiagnostics = parser.lexer.diagnostics
    // A bad character is skipped by the lexer; the parser's complaint on that line would only
    // repeat it.
    let lexedLines = Set(lexerDiagnostics.compactMap { $0.range?.start.line })
    let parserDiagnostics = parser.diagnostics.filter {
      !lexedLines.contains($0.range?.start.line ?? -1)
    }
    return (program, lexerDiagnostics + parserDiagnostics)
  }

  mutating func addDiagnostic(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }

  /// The token after `current`.
  mutating func peek() -> Token {
    if let lookahead { return lookahead }
    let next = current.kind == .endOfFile ? current : lexer.nextToken()
    lookahead = next
    return next
  }

  mutating func advance() -> Token {
    let token = current
    guard token.kind != .endOfFile else { return token }
    previous = token
    if let next = lookahead {
      current = next
      lookahead = nil
    } else {
      current = lexer.nextToken()
    }
    return token
  }

  /// Where the parser is, to read again from there (`rewind`).
  struct Position {
    let lexer: Lexer.Mark
    let current: Token
    let previous: Token?
    let lookahead: Token?
  }

  var position: Position {
    Position(lexer: lexer.mark, current: current, previous: previous, lookahead: lookahead)
  }

  mutating func rewind(to position: Position) {
    lexer.reset(to: position.lexer)
    current = position.current
    previous = position.previous
    lookahead = position.lookahead
  }

  func range(_ token: Token) -> SourceRange { file.range(token.start, token.end) }
  func range(from start: Int, to end: Int) -> SourceRange { file.range(start, end) }

  mutating func expect(_ symbol: String, _ context: String) throws(Diagnostic) -> Token {
    guard current.is(symbol) else {
      throw Diagnostic.expected(
        "'\(symbol)'", context, found: current.describedForError, at: errorRange())
    }
    return advance()
  }

  /// A name. A keyword is one too wherever a name is expected (`input label[N]`, `output loss`):
  /// only at the start of a statement does it begin a declaration, so `label` and `loss`, common
  /// names in JAX and PyTorch code, can name values.
  mutating func expectIdentifier(_ context: String) throws(Diagnostic) -> Token {
    guard current.kind == .identifier || current.kind == .keyword else {
      throw Diagnostic.expected(
        "a name", context, found: current.describedForError, at: range(current))
    }
    return advance()
  }

  mutating func parseProgram() -> Program {
    var statements: [(Statement, SourceRange)] = []
    while current.kind != .endOfFile {
      if current.kind == .newline {
        _ = advance()
        continue
      }
      let (first, second) = (current, peek())
      do throws(Diagnostic) {
        let statement = try parseStatement()
        guard current.kind == .newline || current.kind == .endOfFile else {
          throw Diagnostic.expected(
            "end of line", "after a statement", found: current.describedForError, at: range(current)
          )
        }
        statements.append((statement, range(from: first.start, to: (previous ?? current).end)))
      } catch {
        if error.id != Diagnostic.silent.id { diagnostics.append(error) }
        if let (name, range) = definedName(first, second) {
          statements.append((.invalid(name: name, nameRange: range), range))
        }
        synchronize()
      }
    }
    return Program(statements: statements)
  }

  /// The name a statement starting with `first`, `second` defines (`h = ...`, `param W ...`), if
  /// any.
  func definedName(_ first: Token, _ second: Token) -> (String, SourceRange)? {
    if first.kind == .identifier || first.kind == .keyword, second.is("=") {
      return (first.text, range(first))
    }
    if first.kind == .keyword, second.kind == .identifier {
      return (second.text, range(second))
    }
    return nil
  }

  /// Where to report "expected X": at the offending token, or, when the line or file ended, just
  /// after the last token of the line.
  func errorRange() -> SourceRange {
    guard let previous else { return range(current) }
    let endedLine = current.kind == .newline || current.kind == .endOfFile
    // Inside brackets newlines are skipped, so an unclosed '(' meets the next line's first token:
    // the mistake is at the end of the line before.
    let onLaterLine = file.line(containing: current.start) > file.line(containing: previous.end)
    guard endedLine || onLaterLine else { return range(current) }
    return file.range(previous.end, previous.end)
  }

  /// Skips to the start of the next statement (Lox's `synchronize`).
  mutating func synchronize() {
    while current.kind != .newline && current.kind != .endOfFile { _ = advance() }
  }

  mutating func parseStatement() throws(Diagnostic) -> Statement {
    // `label = ...` assigns a value named label; `loss = ...` stays the loss named loss.
    let assignsKeyword = current.kind == .keyword && current.text != "loss" && peek().is("=")
    if current.kind == .keyword, !assignsKeyword {
      switch current.text {
      case "output": return try parseOutput()
      case "loss": return try parseLoss()
      default: return try parseDeclaration()
      }
    }
    if current.kind == .identifier, current.text == "def", peek().kind == .identifier {
      return try parseFunction()
    }
    if current.kind == .identifier, current.text == "derivative", peek().is("(") {
      return try parseDerivativeClause()
    }
    if current.kind == .identifier, current.text == "return", !peek().is("=") {
      _ = advance()
      return .returnValue(try parseExpression())
    }
    let name = try expectIdentifier("at the start of a statement")
    guard current.is("=") else {
      throw Diagnostic.expected(
        "'='", "after '\(name.text)' (a statement is a declaration or 'name = expression')",
        found: current.describedForError, at: range(current))
    }
    _ = advance()
    return .assignment(name: name.text, nameRange: range(name), value: try parseExpression())
  }

  mutating func parseDeclaration() throws(Diagnostic) -> Statement {
    let keyword = advance()
    var name = try expectIdentifier("after '\(keyword.text)'")
    if keyword.text == "param" { name = dottedName(name) }
    var shape: [DimensionSyntax]?
    if current.is(":") { _ = advance() }
    if current.is("[") { shape = try parseShape() }
    var value: Expression?
    if current.is("=") {
      _ = advance()
      value = try parseExpression(readsLiterals: true)
    }
    return .declaration(
      kind: keyword.text, name: name.text, nameRange: range(name), shape: shape, value: value)
  }

  /// `param b1.h.W` or `param h.7.z.W`: the name of a parameter a function's call made, written
  /// without blanks (the lexer reads `.7` as a number, so a call's number is one token). One token
  /// spanning the whole name.
  mutating func dottedName(_ first: Token) -> Token {
    var name = first
    while current.start == name.end {
      if current.is("."), peek().start == current.end,
        peek().kind == .identifier || peek().kind == .keyword
      {
        _ = advance()
        let part = advance()
        name = Token(
          kind: name.kind, text: name.text + "." + part.text, start: name.start, end: part.end)
      } else if current.kind == .number, current.text.first == ".",
        current.text.dropFirst().allSatisfy(\.isNumber), current.text.count > 1
      {
        let part = advance()
        name = Token(kind: name.kind, text: name.text + part.text, start: name.start, end: part.end)
      } else {
        break
      }
    }
    return name
  }

  mutating func parseShape() throws(Diagnostic) -> [DimensionSyntax] {
    let open = advance()
    var dims: [DimensionSyntax] = []
    while !current.is("]") {
      if !dims.isEmpty { _ = try expect(",", "between dimensions of a shape") }
      let token = advance()
      switch token.kind {
      case .number:
        // Sizes are capped so that no element count can overflow an Int (2^31 per axis, and
        // a product of a few axes, stays far below 2^63).
        guard let n = Int(token.text), n >= 1, n <= 1 << 31 else {
          throw Diagnostic.badDimension(token.text, at: range(token))
        }
        dims.append(DimensionSyntax(kind: .number(n), range: range(token)))
      case .identifier:
        dims.append(DimensionSyntax(kind: .symbol(token.text), range: range(token)))
      default:
        throw Diagnostic.expected(
          "a dimension (a positive whole number or a name such as N)", "in a shape",
          found: token.describedForError, at: range(token)
        )
        .with(note: Note("shape starts here", at: range(open)))
      }
    }
    _ = advance()
    return dims
  }

  mutating func parseOutput() throws(Diagnostic) -> Statement {
    _ = advance()
    var names: [(String, SourceRange)] = []
    repeat {
      if !names.isEmpty { _ = advance() }
      let name = try expectIdentifier("after 'output'")
      names.append((name.text, range(name)))
    } while current.is(",")
    if current.is("="), names.count == 1 {
      _ = advance()
      return .output(names: names, value: try parseExpression())
    }
    return .output(names: names, value: nil)
  }

  mutating func parseLoss() throws(Diagnostic) -> Statement {
    let keyword = advance()
    if current.is("=") {
      _ = advance()
      return .loss(name: "loss", nameRange: range(keyword), value: try parseExpression())
    }
    let name = try expectIdentifier("after 'loss'")
    if current.is("=") {
      _ = advance()
      return .loss(name: name.text, nameRange: range(name), value: try parseExpression())
    }
    return .loss(name: name.text, nameRange: range(name), value: nil)
  }
}
