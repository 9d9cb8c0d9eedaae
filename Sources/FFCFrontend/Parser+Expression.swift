import FFCDiagnostics

/// Binding strength of binary operators (higher binds tighter). Unary minus sits between `*` and
/// `**`, as in numpy: `-x**2` is `-(x**2)` and `-a * b` is `(-a) * b`.
enum Precedence {
  static let binary: [String: Int] = ["+": 1, "-": 1, "*": 2, "/": 2, "@": 2, "**": 4, "^": 4]
  static let prefix = 3
  static func isRightAssociative(_ op: String) -> Bool { op == "**" || op == "^" }
}

extension Parser {
  /// An entry of the operator stack.
  private enum Pending {
    case prefix(op: String, token: Token)
    case binary(op: String, token: Token)
    case group(open: Token)
    /// A call, list literal or index: its arguments sit on the operand stack from `firstOperand`.
    case bracket(kind: BracketKind, open: Token, firstOperand: Int, labels: [(String, SourceRange)?])
  }

  private enum BracketKind { case call(callee: Int), list, index(base: Int) }

  /// Parses one expression into a flat postorder array.
  mutating func parseExpression() throws(Diagnostic) -> Expression {
    var builder = ExpressionArena()
    var operands: [Int] = []
    var pending: [Pending] = []
    var expectOperand = true

    while true {
      let token = current
      if expectOperand {
        if token.kind == .number {
          guard let value = Double(token.text), value.isFinite else {
            // The lexer has already reported a malformed exponent; a number too large is new.
            let lexerReported = token.text.last.map { !$0.isNumber && $0 != "." } ?? false
            throw lexerReported ? Diagnostic.silent : Diagnostic.numberTooLarge(token.text, at: range(token))
          }
          _ = advance()
          operands.append(builder.leaf(.number(value), token, file: file))
          expectOperand = false
        } else if token.kind == .identifier {
          _ = advance()
          operands.append(builder.leaf(.name(token.text), token, file: file))
          expectOperand = false
        } else if token.is("-") || token.is("+") {
          _ = advance()
          pending.append(.prefix(op: token.text, token: token))
        } else if token.is("(") {
          _ = advance()
          pending.append(.group(open: token))
        } else if token.is("[") {
          _ = advance()
          pending.append(.bracket(kind: .list, open: token, firstOperand: operands.count, labels: []))
          if current.is("]") { throw Diagnostic.emptyList(at: range(current)) }
          try beginArgument(&pending)
        } else if token.is(")"), case .bracket(.call, _, let first, _)? = pending.last, first == operands.count {
          // A call with no arguments: `f()`.
          _ = advance()
          try closeBracket(&pending, &operands, &builder, close: token)
          expectOperand = false
        } else {
          let error = Diagnostic.expected("an expression", nil, found: token.describedForError, at: errorRange())
          let lineEnded = token.kind == .newline || token.kind == .endOfFile
          throw lineEnded && !pending.isEmpty
            ? error.with(note: Note("to continue an expression on the next line, wrap it in parentheses", at: nil)) : error
        }
        continue
      }
      // An operand was just completed: expect an operator, a postfix, a closer or the end.
      if let precedence = Precedence.binary[token.text], token.kind == .symbol {
        while let top = pending.last, shouldReduce(top, before: token.text, precedence) {
          reduceEntry(pending.removeLast(), &builder, &operands)
        }
        _ = advance()
        pending.append(.binary(op: token.text, token: token))
        expectOperand = true
      } else if token.is("(") {
        _ = advance()
        let callee = operands.removeLast()
        pending.append(.bracket(kind: .call(callee: callee), open: token, firstOperand: operands.count, labels: []))
        expectOperand = true
        if !current.is(")") { try beginArgument(&pending) }
      } else if token.is("[") {
        _ = advance()
        let base = operands.removeLast()
        pending.append(.bracket(kind: .index(base: base), open: token, firstOperand: operands.count, labels: []))
        expectOperand = true
        if current.is("]") { throw Diagnostic.expected("an index", nil, found: current.describedForError, at: range(current)) }
      } else if token.is(".") {
        _ = advance()
        let member = try expectIdentifier("after '.'")
        let base = operands.removeLast()
        operands.append(builder.add(.member(base: base, member: member.text), start: nil, focus: member, children: [base], file: file, end: member.end))
      } else if token.is(",") && pending.contains(where: { if case .bracket = $0 { true } else { false } }) {
        try reduceToBracket(&pending, &operands, &builder)
        _ = advance()
        expectOperand = true
        try beginArgument(&pending)
      } else if token.is(")") || token.is("]") {
        try reduceToBracket(&pending, &operands, &builder, closer: token)
        _ = advance()
        if case .group(let open)? = pending.last {
          pending.removeLast()
          builder.widen(operands[operands.count - 1], from: open.start, to: token.end, file: file)
        } else {
          try closeBracket(&pending, &operands, &builder, close: token)
        }
      } else {
        break
      }
    }
    while let top = pending.popLast() {
      switch top {
      case .group(let open), .bracket(_, let open, _, _):
        let closer = open.text == "(" ? ")" : "]"
        throw Diagnostic.expected("'\(closer)'", nil, found: current.describedForError, at: errorRange())
          .with(note: Note("to match this '\(open.text)'", at: range(open)))
      default:
        reduceEntry(top, &builder, &operands)
      }
    }
    return builder.expression
  }

  /// Applies a pending prefix or binary operator to the operands on top of the stack.
  private func reduceEntry(_ entry: Pending, _ builder: inout ExpressionArena, _ operands: inout [Int]) {
    switch entry {
    case .prefix(let op, let token):
      let operand = operands.removeLast()
      operands.append(builder.add(.unary(op: op, operand: operand), start: token.start, focus: token, children: [operand], file: file))
    case .binary(let op, let token):
      let rhs = operands.removeLast()
      let lhs = operands.removeLast()
      operands.append(builder.add(.binary(op: op, lhs: lhs, rhs: rhs), start: nil, focus: token, children: [lhs, rhs], file: file))
    default: break
    }
  }

  private func shouldReduce(_ top: Pending, before op: String, _ precedence: Int) -> Bool {
    switch top {
    case .prefix: return Precedence.prefix > precedence
    case .binary(let topOp, _):
      let topPrecedence = Precedence.binary[topOp] ?? 0
      return topPrecedence > precedence || (topPrecedence == precedence && !Precedence.isRightAssociative(op))
    default: return false
    }
  }

  /// At the start of a call argument: `name = value` gives a keyword argument.
  private mutating func beginArgument(_ pending: inout [Pending]) throws(Diagnostic) {
    guard case .bracket(let kind, let open, let first, var labels)? = pending.last else { return }
    if case .call = kind, current.kind == .identifier, peek().is("=") {
      let label = advance()
      _ = advance()
      labels.append((label.text, range(label)))
    } else {
      labels.append(nil)
    }
    pending[pending.count - 1] = .bracket(kind: kind, open: open, firstOperand: first, labels: labels)
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
      case .bracket(let kind, let open, _, _):
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
    return Diagnostic.expected("'\(closer)'", nil, found: found.describedForError, at: found == current ? errorRange() : range(found))
      .with(note: Note("to match this '\(open.text)'", at: range(open)))
  }

  private mutating func closeBracket(
    _ pending: inout [Pending], _ operands: inout [Int], _ builder: inout ExpressionArena, close: Token
  ) throws(Diagnostic) {
    guard case .bracket(let kind, let open, let first, let labels)? = pending.popLast() else { return }
    let arguments = Array(operands[first...])
    operands.removeLast(arguments.count)
    switch kind {
    case .call(let callee):
      guard case .name(let name) = builder.nodes[callee].kind else {
        throw Diagnostic.notCallable(at: builder.nodes[callee].range)
      }
      let args = arguments.enumerated().map { i, value in
        ExpressionNode.Argument(label: labels[i]?.0, labelRange: labels[i]?.1, value: value)
      }
      let node = builder.add(
        .call(callee: name, arguments: args), start: builder.nodes[callee].range.start.offset,
        focusRange: builder.nodes[callee].range, children: [callee] + arguments, file: file, end: close.end)
      operands.append(node)
    case .list:
      operands.append(builder.add(.list(elements: arguments), start: open.start, focus: open, children: arguments, file: file, end: close.end))
    case .index(let base):
      operands.append(
        builder.add(.index(base: base, indices: arguments), start: nil, focus: open, children: [base] + arguments, file: file, end: close.end))
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

  /// Adds a node whose children are already in the array. Its range runs from the earliest child
  /// (or `start`) to the latest child's end (or `end`).
  mutating func add(
    _ kind: ExpressionNode.Kind, start: Int?, focus: Token, children: [Int], file: SourceFile, end: Int? = nil
  ) -> Int {
    add(kind, start: start, focusRange: file.range(focus.start, focus.end), children: children, file: file, end: end)
  }

  mutating func add(
    _ kind: ExpressionNode.Kind, start: Int?, focusRange: SourceRange, children: [Int], file: SourceFile, end: Int? = nil
  ) -> Int {
    let childStarts = children.map { nodes[$0].range.start.offset }
    let childEnds = children.map { nodes[$0].range.end.offset }
    let lower = min(start ?? Int.max, childStarts.min() ?? focusRange.start.offset, focusRange.start.offset)
    let upper = max(end ?? 0, childEnds.max() ?? focusRange.end.offset, focusRange.end.offset)
    let subtreeStart = children.map { nodes[$0].subtreeStart }.min() ?? nodes.count
    nodes.append(ExpressionNode(kind: kind, range: file.range(lower, upper), focus: focusRange, subtreeStart: subtreeStart))
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
