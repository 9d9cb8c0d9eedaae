import FFCFrontend
import FFCIR
import FFCTestSupport
import Testing

/// `param W[...] = load("w.safetensors"[, "name"])` and `dense(..., W=load(...))`: starting
/// values from a safetensors file (the fixture written by the Python package), found beside the
/// program.
@Suite struct LoadTests {
  /// A program that lives beside the fixtures.
  static let path = Repository.root.appendingPathComponent("Tests/Fixtures/formats/t.ffn").path

  func starts(_ program: String) throws -> [String: Initializer] {
    let graph = try Programs.lower(program, path: Self.path)
    return Dictionary(
      uniqueKeysWithValues: graph.parameters.map { ($0.name, $0.initializer ?? .zeros) })
  }

  /// A loaded starting value stays in its file (`.stored`, no f64 copy) until it is read.
  func loaded(_ start: Initializer?) -> Tensor? {
    guard case .stored(let stored)? = start else { return nil }
    return stored.tensor()
  }

  func errors(_ program: String) -> [Diagnostic] {
    Frontend.lower(SourceFile(path: Self.path, text: program)).diagnostics.filter {
      $0.severity == .error
    }
  }

  @Test func aParameterLoadsTheTensorOfItsNameOrTheNamedOne() throws {
    let found = try starts(
      """
      input x[N, 3]
      param a[2, 3] = load("mixed.safetensors")
      param W = load("mixed.safetensors", "fc1.weight")
      param s = load("mixed.safetensors")
      loss L = sum(x @ W) + sum(a) * s
      """)
    #expect(loaded(found["a"]) == Tensor(shape: [2, 3], scalars: [1, -2, 3.5, 0.25, -0.5, 6]))
    #expect(loaded(found["W"]) == Tensor(shape: [3, 2], scalars: [0, 1, 2, 3, 4, 5]))
    #expect(loaded(found["s"]) == Tensor(2.5))
    #expect(found["W"]?.description == "load(\"mixed.safetensors\", \"fc1.weight\")")
  }

  @Test func denseTakesLoadedStartingValues() throws {
    let found = try starts(
      """
      input x[N, 3]
      fc1 = dense(x, 2, W=load("mixed.safetensors", "fc1.weight"), b=0.5)
      loss L = sum(fc1)
      """)
    #expect(loaded(found["fc1.W"]) == Tensor(shape: [3, 2], scalars: [0, 1, 2, 3, 4, 5]))
  }

  @Test(arguments: [
    ("param W[2, 3] = load(\"mixed.safetensors\")", "load.missing", "no tensor 'W'", 17),
    ("param a[3, 2] = load(\"mixed.safetensors\")", "load.shape", "has shape [2, 3]", 17),
    ("param a[2, 3] = load(\"none.safetensors\")", "load.file", "'none.safetensors'", 17),
    ("param a[2, 3] = load(\"make_fixtures.py\")", "load.file", "not a safetensors file", 17),
    ("param a[2, 3] = load(\"mixed.safetensors\", 2)", "load.usage", "as strings", 17),
    ("param a[2, 3] = load(\"mixed.safetensors", "lex.string", "unterminated", 22),
    ("param a[2, 3] = load(\"mi\\xed.safetensors\")", "lex.escape", "unknown escape", 25),
    ("param a[2, 3] = 2 * load(\"mixed.safetensors\")", "load.usage", "in its declaration", 21),
    ("param a[2, 3] = \"mixed.safetensors\"", "load.usage", "only a file", 17),
    (
      "input x[N, 2]\nh = dense(x, 2, W=load(\"mixed.safetensors\", \"a\"))", "declaration.shape",
      "has shape [2, 3]", 19
    ),
  ])
  func mistakesAreReportedAtTheCall(program: String, id: String, words: String, column: Int) {
    let found = errors(program + "\nloss L = 0\n")
    #expect(found.first?.id == id, "\(found.map(\.message))")
    #expect(found.first?.message.contains(words) ?? false, "\(found.map(\.message))")
    #expect(found.first?.range?.start.column == column)
  }

  @Test func escapesAreDecoded() {
    var lexer = Lexer(SourceFile(path: "t.ffn", text: #""a\"b\\c""#))
    let token = lexer.nextToken()
    #expect(token.kind == .string)
    #expect(token.text == #"a"b\c"#)
    #expect(lexer.diagnostics.isEmpty)
  }
}
