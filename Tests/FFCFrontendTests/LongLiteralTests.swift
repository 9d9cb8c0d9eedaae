import FFCFrontend
import FFCIR
import FFCTestSupport
import Testing

/// Literals of many numbers, which the parser reads at once (one node for the list) where a list
/// is read as a literal: the values are exactly those written, and an error anywhere inside is
/// reported exactly as for a short literal. (Their time and memory are measured by
/// samples/bench/literal_scaling.sh, not here.)
@Suite struct LongLiteralTests {
  /// Element i of the test literals: signed, fractional and with exponents, each written in the
  /// shortest form that reads back as the same Double.
  static func value(_ i: Int) -> Double { Double(i % 1997 - 998) * 0.37e-2 + Double(i) * 1e-7 }

  /// `[...]` of `count` numbers, `perLine` to a line, with `bad` written instead of element `at`.
  static func literal(_ count: Int, perLine: Int = 10, bad: (at: Int, text: String)? = nil)
    -> String
  {
    var text = "["
    for i in 0..<count {
      if i > 0 { text += i % perLine == 0 ? ",\n  " : ", " }
      let number = "\(value(i))"
      text += i == bad?.at ? bad!.text : (i % 3 == 1 ? "+" + number : number)
    }
    return text + "]"
  }

  func initialValue(_ text: String, of name: String) throws -> Tensor {
    let graph = try Programs.lower(text)
    let declaration = try #require(graph.declarations.first { $0.name == name })
    guard case .literal(let tensor)? = declaration.initializer else {
      Issue.record("'\(name)' has no literal value")
      return Tensor(0)
    }
    return tensor
  }

  /// A declaration's value and a keyword argument are read as literals: one node. A list in an
  /// expression is lowered node by node (its numbers become graph nodes as before).
  @Test func onlyListsReadAsLiteralsAreReadAtOnce() throws {
    let (program, diagnostics) = Parser.parse(
      SourceFile(
        path: "t.ffn",
        text: "param W = [[1, -2], [3, 4]]\nh = dense(x, 2, W=[[1], [2]])\ny = x * [1, 2]\n"))
    #expect(diagnostics.isEmpty)
    var kinds: [String] = []
    for (statement, _) in program.statements {
      switch statement {
      case .declaration(_, _, _, _, let value?), .assignment(_, _, let value):
        kinds.append(
          value.nodes.map { node in
            switch node.kind {
            case .numberList(let shape, let values): "numbers\(shape)\(values)"
            case .list: "list"
            case .number: "number"
            default: "other"
            }
          }.joined(separator: " "))
      default: break
      }
    }
    #expect(
      kinds == [
        "numbers[2, 2][1.0, -2.0, 3.0, 4.0]",
        "other other number numbers[2, 1][1.0, 2.0] other",
        "other number number list other",
      ])
  }

  @Test func aVectorOf100kNumbersHasExactlyItsValues() throws {
    let count = 100_000
    let tensor = try initialValue(
      "param W[\(count)] = \(Self.literal(count))\noutput W\n", of: "W")
    #expect(tensor.shape == [count])
    #expect(tensor.scalars == (0..<count).map(Self.value))
  }

  @Test func aMatrixLiteralHasItsRowsInOrder() throws {
    let (rows, columns) = (300, 400)
    let text = (0..<rows).map { r in
      "[" + (0..<columns).map { c in "\(Self.value(r * columns + c))" }.joined(separator: ", ")
        + "]"
    }
    let tensor = try initialValue(
      "param W = [\(text.joined(separator: ",\n           "))]\noutput W\n", of: "W")
    #expect(tensor.shape == [rows, columns])
    #expect(tensor.scalars == (0..<rows * columns).map(Self.value))
  }

  /// Signs as the general parser reads them, and a literal the quick reading leaves to it (a
  /// parenthesised number) means the same.
  @Test func signsAndParenthesesMeanWhatTheyAlwaysMeant() throws {
    let quick = try initialValue("param W = [--1, +-2, -+3, ++4, -0, 5e-1]\noutput W\n", of: "W")
    #expect(quick.scalars == [1, -2, -3, 4, -0.0, 0.5])
    #expect(quick.scalars[4].sign == .minus)
    let general = try initialValue(
      "param W = [--1, +-2, -+3, ++4, -0, (5e-1)]\noutput W\n", of: "W")
    #expect(general.scalars == quick.scalars)
    #expect(general.scalars[4].sign == .minus)
  }

  /// A mistake at element 50,000 of 100,000 is reported at its own line and column.
  @Test(arguments: [
    ("1e+", "malformed number '1e+'"),
    ("1e999", "the number '1e999' is too large"),
    ("x", "expected a number or a list of numbers"),
  ])
  func anErrorDeepInALongLiteralIsAtItsLineAndColumn(bad: String, message: String) throws {
    let at = 50_000
    let text = "input x\nparam W = \(Self.literal(100_000, bad: (at, bad)))\noutput W\n"
    let diagnostics = Programs.diagnostics(text)
    let error = try #require(diagnostics.first)
    #expect(diagnostics.count == 1)
    #expect(error.message == message)
    // Element `at` opens line 2 + at / 10 of the file, after "  " and nine numbers.
    let line = 2 + at / 10
    let lineText = text.split(separator: "\n", omittingEmptySubsequences: false)[line - 1]
    let column = try #require(lineText.range(of: bad)).lowerBound.utf16Offset(in: lineText) + 1
    #expect(error.range?.start.line == line)
    #expect(error.range?.start.column == column)
  }

  @Test func aRaggedRowInALongMatrixIsReportedAtTheLiteral() throws {
    var rows = (0..<1000).map { r in "[\(r), \(r + 1), \(r + 2)]" }
    rows[700] = "[1, 2]"
    let diagnostics = Programs.diagnostics(
      "param W = [\(rows.joined(separator: ",\n  "))]\noutput W\n")
    let error = try #require(diagnostics.first)
    #expect(error.message == "the rows of a matrix literal must all have the same length")
    #expect(error.range?.start.line == 1)
    #expect(error.range?.start.column == 11)
    #expect(error.range?.end.line == 1000)
  }
}
