import FFCData
import FFCIR
import Testing

@Suite struct SetValueTests {
  let graph = program([
    declaration("x", .input, [3]),
    declaration("X", .input, [.symbol("N"), 2]),
    declaration("W1", .param, [2, 3]),
    declaration("b", .param, .scalar),
    declaration("lr", .param, .scalar),
    declaration("B", .input, [.symbol("N"), .symbol("M")]),
    Declaration(
      name: "eps", kind: .const, node: NodeID(0), shape: .scalar, defaultValue: Tensor(0.001)),
  ])

  func parse(_ text: String) throws -> (name: String, value: Tensor) {
    try SetValue.parse(text, graph: graph)
  }

  func error(_ text: String) -> Diagnostic? {
    do {
      _ = try SetValue.parse(text, graph: graph)
      return nil
    } catch {
      return error
    }
  }

  @Test func valuesTakeTheDeclaredShape() throws {
    #expect(try parse("x=1,1,1") == ("x", Tensor(shape: [3], scalars: [1, 1, 1])))
    #expect(
      try parse("W1=[[2,-3,0],[-1,1,2]]").value
        == Tensor(shape: [2, 3], scalars: [2, -3, 0, -1, 1, 2]))
    #expect(try parse("b=-1.5").value == Tensor(-1.5))
    #expect(try parse(" lr = 0.1 ").value == Tensor(0.1))
    #expect(try parse("x = [ 1 , 2 , 3 ]").value.scalars == [1, 2, 3])
  }

  @Test func oneSymbolicDimensionIsInferred() throws {
    #expect(
      try parse("X=0,0,0,1,1,0,1,1").value
        == Tensor(shape: [4, 2], scalars: [0, 0, 0, 1, 1, 0, 1, 1]))
    #expect(
      error("X=1,2,3")?.message
        == "--set X=1,2,3: 'X' is declared [N, 2], so --set X needs a multiple of 2 values; got 3")
    #expect(error("B=1,2")?.id == "set.shape")
  }

  @Test func errorsNameTheOption() {
    #expect(
      error("x=1,2")?.message
        == "--set x=1,2: 'x' is declared [3], so --set x needs 3 values; got 2")
    #expect(error("x=1,2")?.id == "set.count" && error("x=1,2")?.range == nil)
    #expect(error("x")?.message == "--set x: expected name=values, such as --set x=1,2,3")
    #expect(error("=1")?.id == "set.syntax")
    #expect(
      error("lrr=1")?.message == "--set lrr=1: the program declares no 'lrr'; did you mean 'lr'?")
    #expect(error("eps=1")?.id == "set.const")
    #expect(error("x=1,a,3")?.message == "--set x=1,a,3: 'a' is not a number")
    #expect(error("x=1,inf,3")?.id == "set.not-finite")
    #expect(error("x=1,,3")?.message == "--set x=1,,3: a value is missing before ','")
    #expect(error("x=[1,2,3")?.message == "--set x=[1,2,3: a '[' is not closed")
    #expect(error("x=1,2,3]")?.id == "set.syntax")
    #expect(error("x=1 2,3")?.message == "--set x=1 2,3: expected ',' before '2'")
    #expect(error("x=1,2,3,")?.id == "set.syntax")
    #expect(error("x=")?.message == "--set x=: no values after '='")
    let long = "x=" + Array(repeating: "1", count: 40).joined(separator: ",")
    #expect(
      error(long)?.message.hasPrefix("--set x=1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1...: ") == true)
  }

  @Test func labelsAreChecked() throws {
    let classifier = try classifier(classes: 3, batch: true)
    #expect(try SetValue.parse("y=0,2,1", graph: classifier).value.shape == [3])
    do {
      _ = try SetValue.parse("y=0,3", graph: classifier)
      Issue.record("expected an error")
    } catch {
      #expect(error.id == "set.label-range")
      #expect(error.message == "--set y=0,3: label 3 is out of range for 'y': classes are 0..2")
    }
  }

  @Test func symbolsMustAgreeAcrossSetsAndData() throws {
    let X = try parse("X=0,0,0,1,1,0,1,1")
    #expect(try SymbolBindings.resolve(graph: graph, sets: [X], data: nil).map(\.size) == [4])

    let data = try bind(
      "t\n1\n2\n3\n",
      program([
        declaration("X", .input, [.symbol("N"), 2]), declaration("t", .target, [.symbol("N")]),
      ]), set: ["X"])
    do {
      _ = try SymbolBindings.resolve(graph: graph, sets: [X], data: data)
      Issue.record("expected an error")
    } catch {
      #expect(error.id == "set.symbol")
      #expect(error.message == "--set X makes 'N' = 4, but the data has 3 rows")
    }

    let withDefault = program([
      declaration("X", .input, [.symbol("N"), 2]),
      declaration("t", .target, [.symbol("N")], default: Tensor(shape: [3], scalars: [0, 1, 1])),
    ])
    #expect(throws: Diagnostic.self) {
      try SymbolBindings.resolve(graph: withDefault, sets: [X], data: nil)
    }
  }
}
