import FFCTestSupport
import Testing

/// What users bring from JAX and PyTorch: keywords as value names, Python's None, True and
/// False as options, and the other libraries' function names answered with ffc's.
@Suite struct ForeignNameTests {
  /// The errors' messages, and the first error's notes.
  func errors(_ text: String) -> [(message: String, notes: [String])] {
    Programs.diagnostics(text).filter { $0.severity == .error }.map {
      ($0.message, $0.notes.map(\.message))
    }
  }

  @Test func keywordsNameValuesWhereverANameIsExpected() throws {
    let program = """
      input x[3] = [1, 2, 3]
      label label = 1
      input loss[3] = [1, 1, 1]
      target = x * 2
      output = target + loss
      output label, output
      loss L = sum(output * loss) + label
      """
    #expect(errors(program).isEmpty, "\(Programs.rendered(program))")
    let values = try Programs.evaluate(try Programs.compile(program))
    // output = 2x + 1 = [3, 5, 7]; L = Σ output · 1 + label = 15 + 1
    let expected: [Double] = [16]
    #expect(values.loss?.scalars == expected)
  }

  @Test func lossEqualsStaysTheLossNamedLoss() throws {
    let values = try Programs.evaluate(
      try Programs.compile("param w = 2\nloss = w * w\n"))
    #expect(values.loss?.scalars == [4])
  }

  @Test func axisNoneReducesOverEveryAxisAndTrueIsOne() throws {
    let program = """
      param x[2, 2] = [[1, 2], [3, 4]]
      a = sum(x, axis=None)
      b = mean(x, axis=None, keepdims=False)
      c = max(x, axis=-1, keepdims=True)
      output a, b, c
      loss L = a
      """
    let values = try Programs.evaluate(try Programs.compile(program))
    #expect(values.outputs.map(\.scalars) == [[10], [2.5], [2, 4]])
    #expect(values.outputs[2].shape == [2, 1])
  }

  @Test func noneCountsAsGivingTheOption() {
    let found = errors("param x[2] = [1, 2]\nloss L = sum(x, axis=None, axis=0)\n")
    #expect(found.first?.message == "option 'axis' of 'sum' is given twice", "\(found)")
  }

  @Test func noneWhereAnAxisIsNeededIsExplained() {
    let found = errors("param x[2] = [1, 2]\nloss L = sum(softmax(x, axis=None))\n")
    #expect(found.first?.message.contains("None is accepted only where") == true, "\(found)")
  }

  @Test func foreignFunctionNamesSuggestFfcsName() {
    let cases = [
      ("sigmoid_binary_cross_entropy(z, t)", "binary_cross_entropy"),
      ("sum_squared_error(z, t)", "sse"),
      ("mean_squared_error(z, t)", "mse"),
      ("softmax_cross_entropy_with_integer_labels(z, t)", "cross_entropy"),
      ("reduce_sum(z)", "sum"),
    ]
    for (call, ffc) in cases {
      let found = errors("param z[2] = [1, 2]\ninput t[2] = [0, 1]\nloss L = \(call)\n")
      #expect(found.first?.message.hasSuffix("did you mean '\(ffc)'?") == true, "\(call): \(found)")
    }
    let bce = errors(
      "param z[2] = [1, 2]\ninput t[2] = [0, 1]\nloss L = sigmoid_binary_cross_entropy(z, t)\n")
    #expect(bce.first?.notes.first?.contains("their mean") == true)
  }

  @Test func softmaxCrossEntropyIsAnAlias() {
    #expect(
      errors("param z[3] = [1, 2, 3]\nlabel y = 1\nloss L = softmax_cross_entropy(z, y)\n").isEmpty)
  }
}
