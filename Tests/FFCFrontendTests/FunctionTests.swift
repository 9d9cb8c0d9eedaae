import FFCFrontend
import FFCIR
import FFCTestSupport
import Testing

/// `def` functions and `repeat`: parsing, inlining with per-call names, and every mistake
/// reported at its column.
@Suite struct FunctionTests {
  let block = """
    input x[N, 2]
    def block(v, units) {
      h = dense(v, units, tanh)
      return v + h
    }

    """

  func errors(_ text: String) -> [(id: String, line: Int, column: Int, message: String)] {
    Programs.diagnostics(text).filter { $0.severity == .error }.map {
      ($0.id, $0.range?.start.line ?? 0, $0.range?.start.column ?? 0, $0.message)
    }
  }

  @Test func parsesADefinition() throws {
    let (program, diagnostics) = Parser.parse(SourceFile(path: "t.ffn", text: block))
    #expect(diagnostics.isEmpty)
    guard case .function(let definition)? = program.statements.last?.statement else {
      Issue.record("no function")
      return
    }
    #expect(definition.name == "block")
    #expect(definition.parameters.map(\.name) == ["v", "units"])
    #expect(definition.body.count == 2)
  }

  @Test func eachCallMakesItsOwnParameters() throws {
    let graph = try Programs.lower(block + "b1 = block(x, 2)\nb2 = block(b1, 2)\noutput b2\n")
    #expect(
      graph.declarations.map(\.name) == ["x", "b1.h.W", "b1.h.b", "b2.h.W", "b2.h.b"])
    #expect(graph.nodes.contains { $0.name == "b2.h" })
    // The definition's line tags what the call made, and the call's line beside it.
    let layer = try #require(graph.nodes.first { $0.name == "b1.h" })
    #expect(layer.location?.start.line == 3 && layer.location?.call?.line == 6)
    #expect(graph.nodes.first { $0.name == "b2.h" }?.location?.call?.line == 7)
    #expect(
      graph.declarations.first { $0.name == "b2.h.W" }?.location?.lineTag
        == "line 3 (call at line 7)")
    #expect(graph.nodes.first { $0.name == "x" }?.location?.call == nil)
  }

  /// A call inside a body is tagged with the outermost call, the line a reader of the program sees.
  @Test func nestedCallsAreTaggedWithTheOutermostCall() throws {
    let text =
      block + "def twice(v) {\n  a = block(v, 2)\n  return block(a, 2)\n}\n"
      + "t = twice(x)\noutput t\nloss L = sum(t)\n"
    let graph = try Programs.lower(text)
    let inner = try #require(graph.nodes.first { $0.name == "t.a.h" })
    #expect(inner.location?.start.line == 3 && inner.location?.call?.line == 10)
    let printed = TextPrinter(source: SourceFile(path: "test.ffn", text: text)).print(
      try Programs.compile(text))
    #expect(
      printed.contains("# via line 3 (call at line 10): h = dense(v, units, tanh)"), "\(printed)")
  }

  @Test func repeatUnrollsByALoop() throws {
    let graph = try Programs.lower(block + "h = repeat(300, block, x, 2)\noutput h\n")
    #expect(graph.declarations.count == 1 + 600)
    #expect(graph.declarations.last?.name == "h.300.h.b")
    #expect(graph.nodes.contains { $0.name == "h.299" })
  }

  @Test func theLocalsOfACallAreReachableByItsName() throws {
    let graph = try Programs.lower(block + "b1 = block(x, 2)\nloss L = sum(b1.h.W)\n")
    #expect(graph.loss != nil)
  }

  @Test func mistakesAreReportedAtTheirColumns() {
    let arity = errors(block + "b = block(x)\n")
    #expect(arity.map(\.id) == ["call.arity"] && arity.first?.line == 6)
    #expect(arity.first?.message == "'block' takes 2 arguments (v, units), got 1")
    let unknown = errors(block + "b = blok(x, 2)\n")
    #expect(unknown.first?.message == "unknown function 'blok'; did you mean 'block'?")
    #expect(unknown.first?.column == 5)
    let early = errors("input x[N, 2]\nb = later(x)\ndef later(v) {\n  return v\n}\n")
    #expect(early.map(\.id) == ["function.order"] && early.first?.line == 2)
    let twice = errors(block + "def block(v) {\n  return v\n}\n")
    #expect(twice.map(\.id) == ["function.redefined"] && twice.first?.line == 6)
    let shadow = errors(block + "def f(x) {\n  return x\n}\n")
    #expect(shadow.map(\.id) == ["function.shadows"] && shadow.first?.column == 7)
    let recursive = errors("def f(v) {\n  w = f(v)\n  return w\n}\n")
    #expect(recursive.map(\.id) == ["function.recursive"] && recursive.first?.column == 7)
    let noReturn = errors("def f(v) {\n  w = v\n}\n")
    #expect(noReturn.map(\.id) == ["function.return"])
    let outside = errors("input x[2]\nreturn x\n")
    #expect(outside.map(\.id) == ["function.return"])
    let inputInside = errors("def f(v) {\n  input z[2]\n  return v\n}\n")
    #expect(inputInside.map(\.id) == ["function.statement"])
    let unclosed = errors("def f(v) {\n  return v\n")
    #expect(unclosed.count == 1)
  }

  /// `param b1.h.W[2, 2] = ...`: the value of one call's parameter, given at the top level.
  @Test func anOverrideLineGivesOneCallsParameterItsValue() throws {
    let text =
      block + "b1 = block(x, 2)\nh = repeat(2, block, b1, 2)\noutput h\n"
      + "param b1.h.W[2, 2] = [[1, 2], [3, 4]]\nparam h.2.h.b = 0.5\n"
    let graph = try Programs.lower(text)
    let value = { (name: String) in graph.declarations.first { $0.name == name }?.initializer }
    #expect(value("b1.h.W") == .literal(Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])))
    #expect(value("h.2.h.b") == .literal(Tensor(shape: [2], scalars: [0.5, 0.5])))
    #expect(value("h.1.h.b") == .zeros)
    // Before the call that makes the parameter is as good as after it.
    let before = try Programs.lower(
      block + "param b1.h.b[2] = [7, 8]\nb1 = block(x, 2)\noutput b1\n")
    #expect(
      before.declarations.first { $0.name == "b1.h.b" }?.initializer
        == .literal(Tensor(shape: [2], scalars: [7, 8])))
  }

  @Test func overrideMistakesAreReportedWhereTheyAre() {
    let program = block + "b1 = block(x, 2)\noutput b1\n"
    let twice = errors(program + "param b1.h.b = 1\nparam b1.h.b = 2\n")
    #expect(twice.map(\.id) == ["override.duplicate"] && twice.first?.line == 9)
    let unknown = errors(program + "param b1.h.bb = 1\n")
    #expect(unknown.map(\.id) == ["override.unknown"] && unknown.first?.line == 8)
    #expect(unknown.first?.message.hasSuffix("did you mean 'b1.h.b'?") == true)
    let declared = errors(
      "input x[N, 2]\nh = dense(x, 2)\noutput h\nparam h.W[2, 2] = 1\n")
    #expect(declared.map(\.id) == ["override.declared"] && declared.first?.line == 4)
    let shape = errors(program + "param b1.h.W[3, 2] = 1\n")
    #expect(shape.map(\.id) == ["declaration.shape"] && shape.first?.column == 7)
    let literal = errors(program + "param b1.h.b = [1, 2, 3]\n")
    #expect(literal.map(\.id) == ["declaration.shape"] && literal.first?.column == 16)
    let empty = errors(program + "param b1.h.b\n")
    #expect(empty.map(\.id) == ["override.value"])
    let inside = errors(
      "input x[N, 2]\ndef f(v) {\n  param b1.c = 1\n  return v\n}\ny = f(x)\noutput y\n")
    #expect(inside.map(\.id) == ["override.place"] && inside.first?.line == 3)
  }

  @Test func aMistakeInABodyIsReportedOnceForManyCalls() {
    let text =
      "input x[N, 2]\ndef f(v) {\n  w = v @ v @ v\n  return w\n}\n"
      + "a = f(x)\nb = f(x)\nc = repeat(5, f, x)\n"
    #expect(errors(text).count == 1)
  }
}
