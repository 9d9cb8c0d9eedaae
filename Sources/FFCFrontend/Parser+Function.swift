import FFCDiagnostics

extension Parser {
  /// `def name(a, b) {`, statements one a line, `return expr`, `}`. The body is read with the same
  /// statement parser as the program (a function cannot contain another, so the nesting is fixed);
  /// an error in it skips to the next line, as at the top level.
  mutating func parseFunction() throws(Diagnostic) -> Statement {
    let keyword = advance()
    let name = try expectIdentifier("after 'def'")
    _ = try expect("(", "after the function's name")
    var parameters: [(name: String, range: SourceRange)] = []
    while !current.is(")") {
      if !parameters.isEmpty { _ = try expect(",", "between a function's parameters") }
      let parameter = try expectIdentifier("in a function's parameter list")
      parameters.append((parameter.text, range(parameter)))
    }
    _ = advance()
    let open = try expect("{", "to start the body of '\(name.text)'")
    var body: [(statement: Statement, range: SourceRange)] = []
    while !current.is("}") {
      if current.kind == .endOfFile {
        throw Diagnostic.expected(
          "'}'", "to end the body of '\(name.text)'", found: "end of file", at: errorRange()
        )
        .with(note: Note("the body starts here", at: range(open)))
      }
      if current.kind == .newline {
        _ = advance()
        continue
      }
      let (first, second) = (current, peek())
      do throws(Diagnostic) {
        if current.kind == .identifier, current.text == "def" {
          throw Diagnostic.expected(
            "a statement", "in the body of '\(name.text)' (functions are defined at the top level)",
            found: "'def'", at: range(current))
        }
        let statement = try parseStatement()
        guard current.kind == .newline || current.is("}") else {
          throw Diagnostic.expected(
            "end of line", "after a statement", found: current.describedForError,
            at: range(current))
        }
        body.append((statement, range(from: first.start, to: (previous ?? current).end)))
      } catch {
        if error.id != Diagnostic.silent.id { addDiagnostic(error) }
        // As at the top level, the line stays known as unreadable, so that nothing it should
        // have made (a local, or the return itself) is reported missing as well.
        if first.text == "return" {
          body.append((.invalid(name: "return", nameRange: range(first)), range(first)))
        } else if let (name, nameRange) = definedName(first, second) {
          body.append((.invalid(name: name, nameRange: nameRange), nameRange))
        }
        while current.kind != .newline && current.kind != .endOfFile && !current.is("}") {
          _ = advance()
        }
      }
    }
    let close = advance()
    var derivative: (clause: DerivativeClause, range: SourceRange)?
    if let last = body.last, case .derivative(let clause) = last.statement {
      derivative = (clause, last.range)
      body.removeLast()
    }
    let definition = FunctionDefinition(
      name: name.text, nameRange: range(name), parameters: parameters, body: body,
      range: range(from: keyword.start, to: close.end), derivative: derivative)
    return .function(definition)
  }

  /// `derivative(g) = e1, e2`, `derivative(g, y) exact = e`: the names the incoming gradient and
  /// the result take, whether the derivative is declared the true one, one expression per
  /// parameter.
  mutating func parseDerivativeClause() throws(Diagnostic) -> Statement {
    let keyword = advance()
    _ = advance()
    let gradient = try expectIdentifier("naming the incoming gradient in 'derivative(g)'")
    var result: (name: String, range: SourceRange)?
    if current.is(",") {
      _ = advance()
      let name = try expectIdentifier("naming the function's result in 'derivative(g, y)'")
      result = (name.text, range(name))
    }
    _ = try expect(")", "after the names in 'derivative(g, y)'")
    var exact = false
    if current.kind == .identifier, current.text == "exact" {
      _ = advance()
      exact = true
    }
    _ = try expect("=", "after 'derivative(\(gradient.text))'")
    var values = [try parseExpression()]
    while current.is(",") {
      _ = advance()
      values.append(try parseExpression())
    }
    return .derivative(
      DerivativeClause(
        keywordRange: range(keyword), gradient: (gradient.text, range(gradient)), result: result,
        exact: exact, values: values))
  }
}
