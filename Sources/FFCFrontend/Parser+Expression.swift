import FFCDiagnostics
import FFCIR

/// Binding strength of operators (higher binds tighter): each binary operator's is its op's
/// (`InfixSpelling`). Unary minus sits between `*` and `**`, as in numpy: `-x**2` is `-(x**2)`
/// and `-a * b` is `(-a) * b`.
enum Precedence {
  static let prefix = 3
}

extension Parser {
  /// An entry of the operator stack.
  private enum Pending {
    case prefix(op: String, token: Token)
    case binary(op: String, token: Token)
    case group(open: Token)
    /// A call, list literal or index: its arguments sit on the operand stack from `firstOperand`.
    case bracket(kind: BracketKind, open: Token, firstOperand: Int)
  }

  private enum BracketKind {
    case call(callee: Int)
    case list
    case index(base: Int)
  }

  /// The state of the operator-precedence loop: the nodes built so far, the operands waiting for
  /// an operator, the operators and brackets waiting for operands, and the labels of the keyword
  /// arguments of open calls, by the call's place in `pending` and the argument's position. (Labels
  /// kept in the bracket entry would copy its array per argument: quadratic in a long list.)
  private struct Yard {
    var builder = ExpressionArena()
    var operands: [Int] = []
    var pending: [Pending] = []
    var labels: [(bracket: Int, argument: Int, label: String, range: SourceRange)] = []
    /// Whether a list is read as a literal, never lowered as an expression: everywhere in a
    /// declaration's value, and right after a keyword argument's `name =` (see `parseNumberList`).
    var readsLiterals = false
    var atLabelledValue = false
  }

  /// Parses one expression into a flat postorder array. `readsLiterals`: it is a declaration's
  /// value, which is read as a literal or an initializer, not lowered as an expression.
  mutating func parseExpression(readsLiterals: Bool = false) throws(Diagnostic) -> Expression {
    var yard = Yard()
    yard.readsLiterals = readsLiterals
    // Room for a statement's usual expression (`dense(h, 32, tanh)`) without regrowing.
    yard.builder.nodes.reserveCapacity(8)
    yard.operands.reserveCapacity(4)
    yard.pending.reserveCapacity(4)
    var expectOperand = true
    while true {
      if expectOperand {
        expectOperand = try !parseOperand(&yard)
      } else {
        guard let next = try parseAfterOperand(&yard) else { break }
        expectOperand = next
      }
    }
    while let top = yard.pending.popLast() {
      switch top {
      case .group(let open), .bracket(_, let open, _):
        let closer = open.text == "(" ? ")" : "]"
        throw Diagnostic.expected(
          "'\(closer)'", nil, found: current.describedForError, at: errorRange()
        )
        .with(note: Note("to match this '\(open.text)'", at: range(open)))
      default:
        reduceEntry(top, &yard.builder, &yard.operands)
      }
    }
    return yard.builder.expression
  }

  /// Where an operand is expected: a number, a name, a prefix operator, an opening bracket, or
  /// the ')' of an empty call. Returns true when an operand was completed.
  private mutating func parseOperand(_ yard: inout Yard) throws(Diagnostic) -> Bool {
    let token = current
    let readsLiteral = yard.readsLiterals || yard.atLabelledValue
    yard.atLabelledValue = false
    if token.is("["), readsLiteral, let list = parseNumberList() {
      yard.operands.append(yard.builder.numberList(list, file: file))
      return true
    }
    if token.kind == .number {
      guard let value = Double(token.text), value.isFinite else {
        // The lexer has already reported a malformed exponent; a number too large is new.
        let lexerReported = token.text.last.map { !$0.isNumber && $0 != "." } ?? false
        throw lexerReported
          ? Diagnostic.silent : Diagnostic.numberTooLarge(token.text, at: range(token))
      }
      _ = advance()
      yard.operands.append(yard.builder.leaf(.number(value), token, file: file))
      return true
    }
    if token.kind == .string {
      _ = advance()
      yard.operands.append(yard.builder.leaf(.string(token.text), token, file: file))
      return true
    }
    // In an expression a keyword is a name (`sum(loss)`).
    if token.kind == .identifier || token.kind == .keyword {
      _ = advance()
      yard.operands.append(yard.builder.leaf(.name(token.text), token, file: file))
      return true
    }
    if token.is("-") || token.is("+") {
      _ = advance()
      yard.pending.append(.prefix(op: token.text, token: token))
      return false
    }
    if token.is("(") {
      _ = advance()
      yard.pending.append(.group(open: token))
      return false
    }
    if token.is("[") {
      _ = advance()
      yard.pending.append(
        .bracket(kind: .list, open: token, firstOperand: yard.operands.count))
      if current.is("]") { throw Diagnostic.emptyList(at: range(current)) }
      return false
    }
    if token.is(")"), case .bracket(.call, _, let first)? = yard.pending.last,
      first == yard.operands.count
    {
      // A call with no arguments: `f()`.
      _ = advance()
      try closeBracket(&yard, close: token)
      return true
    }
    let error = Diagnostic.expected(
      "an expression", nil, found: token.describedForError, at: errorRange())
    let lineEnded = token.kind == .newline || token.kind == .endOfFile
    throw lineEnded && !yard.pending.isEmpty
      ? error.with(
        note: Note("to continue an expression on the next line, wrap it in parentheses", at: nil))
      : error
  }

  /// After a complete operand: a binary operator, a postfix (call, index, member), a comma, a
  /// closing bracket, or the end of the expression (nil). Returns whether an operand comes next.
  private mutating func parseAfterOperand(_ yard: inout Yard) throws(Diagnostic) -> Bool? {
    let token = current
    // Brackets, commas and '.' are no operators: they skip the registry's look-up.
    if token.kind == .symbol, !Self.isPunctuation(token.text),
      let spelling = OpRegistry.infixOp(token.text)?.spelling
    {
      while let top = yard.pending.last, shouldReduce(top, before: spelling) {
        reduceEntry(yard.pending.removeLast(), &yard.builder, &yard.operands)
      }
      _ = advance()
      yard.pending.append(.binary(op: token.text, token: token))
      return true
    }
    if token.is("(") || token.is("[") {
      _ = advance()
      let base = yard.operands.removeLast()
      let kind: BracketKind = token.is("(") ? .call(callee: base) : .index(base: base)
      yard.pending.append(
        .bracket(kind: kind, open: token, firstOperand: yard.operands.count))
      if token.is("[") && current.is("]") {
        throw Diagnostic.expected(
          "an index", nil, found: current.describedForError, at: range(current))
      }
      if token.is("(") && !current.is(")") { beginArgument(&yard) }
      return true
    }
    if token.is(".") {
      _ = advance()
      let member = try expectIdentifier("after '.'")
      let base = yard.operands.removeLast()
      yard.operands.append(
        yard.builder.add(
          .member(base: base, member: member.text), start: nil, focus: member, children: [base],
          file: file, end: member.end))
      return false
    }
    if token.is(","),
      yard.pending.contains(where: { if case .bracket = $0 { true } else { false } })
    {
      try reduceToBracket(&yard.pending, &yard.operands, &yard.builder)
      _ = advance()
      beginArgument(&yard)
      return true
    }
    if token.is(")") || token.is("]") {
      try reduceToBracket(&yard.pending, &yard.operands, &yard.builder, closer: token)
      _ = advance()
      if case .group(let open)? = yard.pending.last {
        yard.pending.removeLast()
        yard.builder.widen(
          yard.operands[yard.operands.count - 1], from: open.start, to: token.end, file: file)
      } else {
        try closeBracket(&yard, close: token)
      }
      return false
    }
    return nil
  }

  private static func isPunctuation(_ text: String) -> Bool {
    text == "(" || text == ")" || text == "," || text == "[" || text == "]" || text == "."
  }

  /// Applies a pending prefix or binary operator to the operands on top of the stack.
  private func reduceEntry(
    _ entry: Pending, _ builder: inout ExpressionArena, _ operands: inout [Int]
  ) {
    switch entry {
    case .prefix(let op, let token):
      let operand = operands.removeLast()
      operands.append(
        builder.add(
          .unary(op: op, operand: operand), start: token.start, focus: token, children: [operand],
          file: file))
    case .binary(let op, let token):
      let rhs = operands.removeLast()
      let lhs = operands.removeLast()
      operands.append(
        builder.add(
          .binary(op: op, lhs: lhs, rhs: rhs), start: nil, focus: token, children: [lhs, rhs],
          file: file))
    default: break
    }
  }

  private func shouldReduce(_ top: Pending, before next: InfixSpelling) -> Bool {
    switch top {
    case .prefix: return Precedence.prefix > next.precedence
    case .binary(let topOp, _):
      let topPrecedence = OpRegistry.infixOp(topOp)?.spelling.precedence ?? 0
      return topPrecedence > next.precedence
        || (topPrecedence == next.precedence && !next.rightAssociative)
    default: return false
    }
  }

  /// At the start of a call argument: `name = value` gives a keyword argument.
  private mutating func beginArgument(_ yard: inout Yard) {
    guard case .bracket(.call, _, let first)? = yard.pending.last, current.kind == .identifier,
      peek().is("=")
    else { return }
    let label = advance()
    _ = advance()
    yard.atLabelledValue = true
    yard.labels.append(
      (yard.pending.count - 1, yard.operands.count - first, label.text, range(label)))
  }

  /// Reduces pending operators down to the innermost group or bracket.
  private mutating func reduceToBracket(
    _ pending: inout [Pending], _ operands: inout [Int], _ builder: inout ExpressionArena,
    closer: Token? = nil
  ) throws(Diagnostic) {
    while let top = pending.last {
      switch top {
      case .group(let open):
        if let closer, closer.text == ")" { return }
        throw mismatched(open: open, found: closer ?? current)
      case .bracket(let kind, let open, _):
        guard let closer else { return }
        let expected: String
        if case .call = kind { expected = ")" } else { expected = "]" }
        if closer.text == expected { return }
        throw mismatched(open: open, found: closer)
      default:
        reduceEntry(pending.removeLast(), &builder, &operands)
      }
    }
    throw Diagnostic.unbalanced((closer ?? current).text, at: range(closer ?? current))
  }

  private func mismatched(open: Token, found: Token) -> Diagnostic {
    let closer = open.text == "(" ? ")" : "]"
    return Diagnostic.expected(
      "'\(closer)'", nil, found: found.describedForError,
      at: found == current ? errorRange() : range(found)
    )
    .with(note: Note("to match this '\(open.text)'", at: range(open)))
  }

  private mutating func closeBracket(_ yard: inout Yard, close: Token) throws(Diagnostic) {
    let bracket = yard.pending.count - 1
    guard case .bracket(let kind, let open, let first)? = yard.pending.popLast() else { return }
    let arguments = Array(yard.operands[first...])
    yard.operands.removeLast(arguments.count)
    switch kind {
    case .call(let callee):
      guard case .name(let name) = yard.builder.nodes[callee].kind else {
        throw Diagnostic.notCallable(at: yard.builder.nodes[callee].range)
      }
      // Most calls have no labels: the array is made only for those that do.
      var labels: [(String, SourceRange)?] = []
      if let last = yard.labels.last, last.bracket >= bracket {
        labels = [(String, SourceRange)?](repeating: nil, count: arguments.count)
      }
      while let last = yard.labels.last, last.bracket >= bracket {
        // A label whose value is missing (`sum(axis=)`) names no argument: the call is reported
        // for what it lacks, and the label is dropped.
        if last.bracket == bracket && last.argument < arguments.count {
          labels[last.argument] = (last.label, last.range)
        }
        yard.labels.removeLast()
      }
      var args: [ExpressionNode.Argument] = []
      args.reserveCapacity(arguments.count)
      for (i, value) in arguments.enumerated() {
        let label = labels.isEmpty ? nil : labels[i]
        args.append(ExpressionNode.Argument(label: label?.0, labelRange: label?.1, value: value))
      }
      let node = yard.builder.add(
        .call(callee: name, arguments: args), start: yard.builder.nodes[callee].range.start.offset,
        focusRange: yard.builder.nodes[callee].range, children: [callee] + arguments, file: file,
        end: close.end)
      yard.operands.append(node)
    case .list:
      yard.operands.append(
        yard.builder.add(
          .list(elements: arguments), start: open.start, focus: open, children: arguments,
          file: file, end: close.end))
    case .index(let base):
      yard.operands.append(
        yard.builder.add(
          .index(base: base, indices: arguments), start: nil, focus: open,
          children: [base] + arguments, file: file, end: close.end))
    }
  }
}

/// Builds the flat postorder node array of one expression.
struct ExpressionArena {
  var nodes: [ExpressionNode] = []

  var expression: Expression { Expression(nodes: nodes) }

  mutating func leaf(_ kind: ExpressionNode.Kind, _ token: Token, file: SourceFile) -> Int {
    let r = file.range(token.start, token.end)
    nodes.append(ExpressionNode(kind: kind, range: r, focus: r, subtreeStart: nodes.count))
    return nodes.count - 1
  }

  mutating func numberList(_ list: NumberList, file: SourceFile) -> Int {
    nodes.append(
      ExpressionNode(
        kind: .numberList(shape: list.shape, values: list.values),
        range: file.range(list.open.start, list.close.end),
        focus: file.range(list.open.start, list.open.end), subtreeStart: nodes.count))
    return nodes.count - 1
  }

  /// Adds a node whose children are already in the array. Its range runs from the earliest child
  /// (or `start`) to the latest child's end (or `end`).
  mutating func add(
    _ kind: ExpressionNode.Kind, start: Int?, focus: Token, children: [Int], file: SourceFile,
    end: Int? = nil
  ) -> Int {
    add(
      kind, start: start, focusRange: file.range(focus.start, focus.end), children: children,
      file: file, end: end)
  }

  mutating func add(
    _ kind: ExpressionNode.Kind, start: Int?, focusRange: SourceRange, children: [Int],
    file: SourceFile, end: Int? = nil
  ) -> Int {
    // One loop, no arrays: a node per operator and per call.
    var lower = min(start ?? Int.max, focusRange.start.offset)
    var upper = max(end ?? 0, focusRange.end.offset)
    var subtreeStart = nodes.count
    for child in children {
      lower = min(lower, nodes[child].range.start.offset)
      upper = max(upper, nodes[child].range.end.offset)
      subtreeStart = min(subtreeStart, nodes[child].subtreeStart)
    }
    nodes.append(
      ExpressionNode(
        kind: kind, range: file.range(lower, upper), focus: focusRange, subtreeStart: subtreeStart))
    return nodes.count - 1
  }

  /// Extends a node's range to cover its closing parenthesis: `(a + b)` spans the parentheses.
  mutating func widen(_ index: Int, from start: Int, to end: Int, file: SourceFile) {
    let node = nodes[index]
    nodes[index] = ExpressionNode(
      kind: node.kind,
      range: file.range(min(start, node.range.start.offset), max(end, node.range.end.offset)),
      focus: node.focus, subtreeStart: node.subtreeStart)
  }
}
