import FFCFrontend
import FFCIR
import FFCTestSupport
import Testing

@Suite struct ParserTests {
  /// The text form of an expression, fully parenthesised, to check precedence and associativity.
  func shape(_ expression: String) throws -> String {
    let (program, diagnostics) = Parser.parse(
      SourceFile(path: "t.ffn", text: "y = \(expression)\n"))
    #expect(diagnostics.isEmpty, "\(diagnostics.map(\.message))")
    guard case .assignment(_, _, let e)? = program.statements.first?.statement else { return "" }
    var text: [String] = []
    for node in e.nodes {
      switch node.kind {
      case .number(let x): text.append(TensorFormat.number(x))
      case .string(let s): text.append("\"\(s)\"")
      case .name(let n): text.append(n)
      case .member(let b, let m): text.append("\(text[b]).\(m)")
      case .unary(let op, let x): text.append("(\(op)\(text[x]))")
      case .binary(let op, let a, let b): text.append("(\(text[a]) \(op) \(text[b]))")
      case .call(let f, let args):
        text.append(
          "\(f)(\(args.map { ($0.label.map { "\($0)=" } ?? "") + text[$0.value] }.joined(separator: ", ")))"
        )
      case .index(let b, let i):
        text.append("\(text[b])[\(i.map { text[$0] }.joined(separator: ", "))]")
      case .list(let xs): text.append("[\(xs.map { text[$0] }.joined(separator: ", "))]")
      case .numberList(let shape, let values):
        text.append(
          "numbers\(shape)[\(values.map { TensorFormat.number($0) }.joined(separator: ", "))]")
      }
    }
    return text.last ?? ""
  }

  @Test(arguments: [
    ("a + b * c", "(a + (b * c))"),
    ("a - b - c", "((a - b) - c)"),
    ("a @ b + c", "((a @ b) + c)"),
    ("-x ** 2", "(-(x ** 2))"),
    ("-a * b", "((-a) * b)"),
    ("a ^ b ^ c", "(a ^ (b ^ c))"),
    ("2 ** -x", "(2 ** (-x))"),
    ("(a + b) * (b + 1)", "((a + b) * (b + 1))"),
    ("W.T @ x[0]", "(W.T @ x[0])"),
    ("sum(x, axis=0) / n", "(sum(x, axis=0) / n)"),
    ("relu(W1 @ x + b)", "relu(((W1 @ x) + b))"),
    ("[[1, -2], [3, 4]]", "[[1, (-2)], [3, 4]]"),
    ("f()", "f()"),
    // Keyword labels stay with their own call when calls nest inside labelled arguments.
    ("f(a=g(1), h(c=2, 3), b=k(d=(e), 4), 5)", "f(a=g(1), h(c=2, 3), b=k(d=e, 4), 5)"),
    ("1.5e-3 * x", "(0.0015 * x)"),
  ])
  func precedenceAndAssociativity(source: String, expected: String) throws {
    #expect(try shape(source) == expected)
  }

  /// Every symbol an op spells infix (`InfixSpelling`) lexes as one token and lowers to that op,
  /// so a new infix op needs only its row (and the lexer's symbol, which this test asks for).
  @Test(arguments: OpRegistry.infix.map(\.symbol))
  func everyInfixSymbolSpellsItsOp(symbol: String) throws {
    var lexer = Lexer(SourceFile(path: "t.ffn", text: "a \(symbol) b"))
    var texts: [String] = []
    while texts.last != "" { texts.append(lexer.nextToken().text) }
    #expect(texts == ["a", symbol, "b", "\n", ""])
    let op = try #require(OpRegistry.infixOp(symbol)?.op)
    let graph = try Programs.lower(
      "param a[2] = [1, 2]\nparam b[2] = [3, 4]\noutput y = a \(symbol) b\n")
    #expect(graph[graph.outputs[0].node].op === op)
  }

  /// Nesting depth is not recursion depth: 50,000 parentheses parse, lower and compile.
  @Test func deeplyNestedExpressionsDoNotOverflow() throws {
    let depth = 50_000
    let text =
      "param x = 1\ny = " + String(repeating: "(", count: depth) + "x"
      + String(repeating: " + 1)", count: depth) + "\nloss y"
    let graph = try Programs.compile(text)
    #expect(try Programs.evaluate(graph).loss?.scalars == [Double(depth + 1)])
  }

  @Test func longChainsOfUnaryMinusDoNotOverflow() throws {
    let text = "input x = 2\ny = " + String(repeating: "-", count: 100_000) + "x\noutput y"
    let graph = try Programs.compile(text, differentiate: false)
    #expect(try Programs.evaluate(graph).outputs[0].scalars == [2])
  }

  @Test func newlinesInsideBracketsContinueTheStatement() throws {
    let graph = try Programs.lower(
      "param W[2, 2] = [[1, 2],\n  [3, 4]]\ny = relu(\n  W @ W\n)\noutput y")
    #expect(graph.outputs.count == 1)
  }

  @Test func semicolonsSeparateStatements() throws {
    let graph = try Programs.lower("input x; y = x * 2; output y")
    #expect(graph.outputs.count == 1)
  }
}

/// Inputs the fuzz targets (samples/fuzz) found crashing, each now a located error.
@Suite struct FuzzFindingTests {
  /// A keyword argument without its value and no other argument (`sum(axis=)`) named argument 0
  /// of a call that had none: the parser trapped on the out-of-range label. Found by the frontend
  /// fuzz target on 2026-12-07.
  @Test(arguments: ["loss C = sum(axis=)", "loss C = 0.5 * sse(axis=)", "loss C = sum(f(axis=))"])
  func aLabelWithoutItsValueIsAnError(line: String) {
    let result = Frontend.lower(SourceFile(path: "t.ffn", text: "input x[3]\n\(line)\n"))
    #expect(result.diagnostics.contains { $0.severity == .error }, "\(line)")
  }
}
