import FFCIR
import FFCTestSupport
import Testing

/// Every diagnostic the frontend gives: its id, exact message and location.
@Suite struct DiagnosticTests {
  struct Case: CustomTestStringConvertible, Sendable {
    let program: String
    let id: String
    let message: String
    let line: Int
    let column: Int
    var testDescription: String { id }
  }

  static let cases: [Case] = [
    Case(
      program: "input x[3]\nparam W[2, 4]\nh = W @ x\n", id: "shape.incompatible",
      message: "cannot multiply [2, 4] by [3]: inner dimensions differ", line: 3, column: 7),
    Case(
      program: "input x[3]\ny = tnah(x)\n", id: "name.function",
      message: "unknown function 'tnah'; did you mean 'tanh'?", line: 2, column: 5),
    Case(
      program: "input input1[3]\ny = relu(inptu1)\n", id: "name.unknown",
      message: "unknown name 'inptu1'; did you mean 'input1'?", line: 2, column: 10),
    Case(
      program: "input x[3]\ninput b[4]\ny = x + b\n", id: "shape.incompatible",
      message: "'add' cannot broadcast shapes [3] and [4]", line: 3, column: 7),
    Case(
      program: "input x[3]\ny = relu(x\n", id: "parse.expected",
      message: "expected ')', found end of line", line: 2, column: 11),
    Case(
      program: "input x[3]\ny = x +\n", id: "parse.expected",
      message: "expected an expression, found end of line", line: 2, column: 8),
    Case(
      program: "input x[3]\nx = 2\n", id: "name.duplicate", message: "'x' is already defined",
      line: 2, column: 1),
    Case(
      program: "input x[3]\nloss L = x * 2\n", id: "loss.shape",
      message:
        "the loss must be a scalar, but 'L' has shape [3]; reduce it with sum(...) or mean(...)",
      line: 2, column: 10),
    Case(
      program: "param W[N, 3]\n", id: "declaration.symbolic",
      message: "'W' cannot have the batch dimension 'N': only data (input, target, label) has one",
      line: 1, column: 9),
    Case(
      program: "param W[2, 2] = [[1, 2], [3]]\n", id: "literal.ragged",
      message: "the rows of a matrix literal must all have the same length", line: 1, column: 17),
    Case(
      program: "param W[2, 3] = [[1, 2], [3, 4]]\n", id: "declaration.shape",
      message: "the value has shape [2, 2], but the declaration says [2, 3]", line: 1, column: 17),
    Case(
      program: "input x[3]\ny = sum(x, axis=2)\n", id: "shape.incompatible",
      message: "'sum' has no axis 2 for a value of shape [3]", line: 2, column: 5),
    // An axis beyond Int's range was converted before it was checked, and trapped (fuzzing).
    Case(
      program: "input x[3]\ny = sum(x, axis=1e19)\n", id: "shape.incompatible",
      message: "'sum' has no axis 1e+19 for a value of shape [3]", line: 2, column: 5),
    Case(
      program: "input x[3]\ny = leaky_relu(x, slope=0.1)\n", id: "call.option",
      message: "'leaky_relu' has no option 'slope'; its options are 'alpha'", line: 2, column: 19),
    Case(
      program: "input x[3]\ny = relu(x, x)\n", id: "call.arity",
      message: "'relu' takes 1 argument, got 2", line: 2, column: 5),
    Case(
      program: "input x[3]\ny = x $ 2\n", id: "lex.character", message: "unexpected character '$'",
      line: 2, column: 7),
    Case(
      program: "input x[3]\ny = x * 1e\n", id: "lex.number", message: "malformed number '1e'",
      line: 2, column: 9),
    Case(
      program: "input x[0]\n", id: "parse.dimension",
      message: "a dimension must be a whole number from 1 to 2^31 or a name, got '0'", line: 1,
      column: 9),
    Case(
      program: "input x[3]\nh = 2 * dense(x, 4)\n", id: "dense.unassigned",
      message:
        "'dense' declares its layer's parameters, so it must be assigned to a name: 'h = dense(x, 64, relu)'",
      line: 2, column: 9),
    Case(
      program: "input x[3]\ny = x[5]\n", id: "shape.incompatible",
      message: "index 5 is out of range for axis 0 of shape [3]", line: 2, column: 6),
    Case(
      program: "input X[N, 3]\nlabel y[N]\nloss L = cross_entropy(X, y[0])\n",
      id: "shape.incompatible",
      message: "cannot index axis 0 of shape [N]: its size is only known at run time", line: 3,
      column: 28),
    Case(
      program: "input x\nloss a = x\nloss b = x\n", id: "loss.duplicate",
      message: "a program has one loss, but 'b' is a second", line: 3, column: 6),
    Case(
      program: "input x\ny = relu\n", id: "name.function-value",
      message: "'relu' is a function; call it as 'relu(...)'", line: 2, column: 5),
    Case(
      program: "param W[2] = uniform(1, 0)\n", id: "declaration.initializer",
      message: "'uniform' needs low < high, got 1 and 0", line: 1, column: 14),
    Case(
      program: "input x[3]\nh = dense(x, 2, W=[[1, 2], [3, 4]])\n", id: "declaration.shape",
      message: "the value of 'h.W' has shape [2, 2], but the layer needs [3, 2]", line: 2,
      column: 19),
    Case(
      program: "input x[3]\nh = dense(x, 2, b=[1, 2, 3])\n", id: "declaration.shape",
      message: "the value of 'h.b' has shape [3], but the layer needs [2]", line: 2, column: 19),
    Case(
      program: "input x[3]\nh = dense(x, 2, init=he, W=0)\n", id: "call.option",
      message: "'dense' takes 'W' or 'init', not both: 'W' gives the starting values themselves",
      line: 2, column: 26),
    Case(
      program: "input x[3]\nh = dense(x, 2, b=0, bias=0)\n", id: "call.option",
      message: "'dense' takes 'b' or 'bias=0', not both: 'bias=0' leaves the bias out", line: 2,
      column: 22),
    Case(
      program: "input x[3]\nh = dense(x, 2, W=he)\n", id: "call.option",
      message:
        "'W' of 'dense' takes the starting values as a literal such as [[1, 2], [3, 4]]; to name an initializer, write 'init=he'",
      line: 2, column: 19),
    Case(
      program: "input x[3]\nh = dense(x, 2, bias=1, bias=0)\n", id: "call.option",
      message: "option 'bias' of 'dense' is given twice", line: 2, column: 30),
    Case(
      program: "input x[3]\nh = dense(x, 2, w=1)\n", id: "call.option",
      message:
        "'dense' has no option 'w'; its options are 'init', 'bias', 'W', 'b', 'a' (prelu) and 'k' (maxout)",
      line: 2,
      column: 17),
    Case(
      program: "input x[3]\nh = dense(x, 2, b=x)\n", id: "literal.expected",
      message: "expected a number or a list of numbers", line: 2, column: 19),
    Case(
      program: "const c\nloss L = c\n", id: "declaration.const-value",
      message: "constant 'c' needs a value: 'const c = 2'", line: 1, column: 7),
    Case(
      program: "label y[2] = [0, 1.5]\n", id: "declaration.label",
      message: "class labels are whole numbers from 0, got 1.5", line: 1, column: 14),
    Case(
      program: "input a[N] = [1, 2]\ninput b[N] = [1, 2, 3]\n", id: "declaration.symbol-size",
      message: "'b' gives 'N' the size 3, but 'a' gives it 2", line: 2, column: 14),
    Case(
      program: "input x[3]\ny = x[1.5]\n", id: "index.whole",
      message: "an index must be a whole number", line: 2, column: 7),
    Case(
      // Literals nest to any depth; this one is [1, 1, 1], not the declared [2].
      program: "param W[2] = [[[1]]]\n", id: "declaration.shape",
      message: "the value has shape [1, 1, 1], but the declaration says [2]", line: 1, column: 14),
  ]

  @Test(arguments: cases)
  func reportsTheErrorAtItsLocation(_ c: Case) {
    let diagnostics = Programs.diagnostics(c.program)
    let first = diagnostics.first
    #expect(first?.id == c.id, "\(diagnostics.map(\.message))")
    #expect(first?.message == c.message)
    let location = first?.focus ?? first?.range?.start
    #expect(
      location?.line == c.line && location?.column == c.column, "at \(String(describing: location))"
    )
  }

  @Test func independentErrorsAreAllReported() {
    let diagnostics = Programs.diagnostics("input x[3]\ny = tnah(x)\nz = x @ [1, 2]\nw = relu(q)\n")
    #expect(diagnostics.map(\.id) == ["name.function", "shape.incompatible", "name.unknown"])
  }

  /// A name whose definition failed reports nothing more where it is used.
  @Test func errorsDoNotCascade() {
    let diagnostics = Programs.diagnostics(
      "input x[3]\ny = tnah(x)\nz = y * 2\noutput z\nloss L = sum(z)\n")
    #expect(diagnostics.count == 1)
  }

  @Test func renderedDiagnosticPointsAtTheOperator() {
    let text = Programs.rendered("input x[3]\nparam W[2, 4]\nh = relu(W @ x)\n", path: "net.ffn")
    #expect(
      text == """
        net.ffn:3:12: error: cannot multiply [2, 4] by [3]: inner dimensions differ
         3 | h = relu(W @ x)
           |          ~~^~~

        """)
  }

  @Test func unclosedParenthesisHasANoteAtTheOpening() {
    let diagnostics = Programs.diagnostics("input x[3]\ny = relu((x + 1)\n")
    #expect(diagnostics.first?.notes.first?.message == "to match this '('")
    #expect(diagnostics.first?.notes.first?.range?.start.column == 9)
  }
}
