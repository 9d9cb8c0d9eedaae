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
    // The definition's line tags what the call made.
    let layer = try #require(graph.nodes.first { $0.name == "b1.h" })
    #expect(layer.location?.start.line == 3)
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

  @Test func aMistakeInABodyIsReportedOnceForManyCalls() {
    let text =
      "input x[N, 2]\ndef f(v) {\n  w = v @ v @ v\n  return w\n}\n"
      + "a = f(x)\nb = f(x)\nc = repeat(5, f, x)\n"
    #expect(errors(text).count == 1)
  }
}
