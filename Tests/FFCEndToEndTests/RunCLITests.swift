import FFCTestSupport
import Foundation
import Testing

/// `ffc run` on bad input, through the built binary: every data error names the file, the line and
/// the column and exits 1; usage errors exit 2; `--check-numerics` names the node; NaN still gives
/// valid JSON. Plus one success per output format on a sample.
@Suite struct RunCLITests {
  func ffc(_ arguments: [String]) throws -> BinaryRunner.Result {
    try BinaryRunner.run(["run"] + arguments)
  }

  /// A fresh directory for the test's data files and programs, removed by `remove()`.
  struct Scratch {
    let url: URL

    init() throws {
      url = FileManager.default.temporaryDirectory.appendingPathComponent(
        "ffc-run-\(getpid())-\(UUID().uuidString)")
      try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// Writes `text` (or raw bytes) to `name` and returns its absolute path.
    func file(_ name: String, _ text: String) throws -> String {
      try file(name, Data(text.utf8))
    }

    func file(_ name: String, _ bytes: Data) throws -> String {
      let path = url.appendingPathComponent(name)
      try bytes.write(to: path)
      return path.path
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
  }

  /// The three lines of a rendered data diagnostic without colour.
  func diagnostic(
    _ path: String, _ line: Int, _ column: Int, _ message: String, source: String, caret: String
  ) -> String {
    let number = String(line)
    let gutter = String(repeating: " ", count: number.count)
    return
      "\(path):\(line):\(column): error: \(message)\n \(number) | \(source)\n \(gutter) | \(caret)\n"
  }

  /// Runs `fig11_1.ffn` (x[3], target y) on a CSV with `text` and checks the exact diagnostic.
  func expectDataError(
    _ text: String, program: String = "samples/fig11_1.ffn", line: Int, column: Int,
    _ message: String,
    source: String, caret: String, extra: [String] = [],
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let path = try scratch.file("data.csv", text)
    let result = try ffc([program, "--data", path] + extra)
    #expect(result.status == 1, "exit status", sourceLocation: sourceLocation)
    #expect(result.stdout.isEmpty, sourceLocation: sourceLocation)
    #expect(
      result.stderr == diagnostic(path, line, column, message, source: source, caret: caret),
      sourceLocation: sourceLocation)
  }

  // MARK: - Success, one per format

  /// A constant of the program that f32 cannot hold is an error at its column, not a silent inf,
  /// whether it stays a constant node or becomes a literal of a fused node.
  @Test func constantsTooLargeForF32AreErrors() throws {
    let scratch = try Scratch()
    let plain = try scratch.file("big.ffn", "input x[2] = [1, 2]\noutput y = x * 1e39\n")
    let result = try ffc([plain])
    #expect(result.status == 1)
    #expect(
      result.stderr.hasPrefix(
        "\(plain):2:16: error: the constant 1e+39 is too large for f32; use --precision f64"),
      "\(result.stderr)")
    #expect(try ffc([plain, "--precision", "f64"]).stdout.contains("1e+39  2e+39"))
    let fused = try scratch.file(
      "fused.ffn", "input x[2] = [1, 2]\noutput y = tanh(x) * 1e39 + 1\n")
    #expect(try ffc([fused]).stderr.contains("error: the constant 1e+39 is too large for f32"))
  }

  @Test func tableFormatOnFigure11_1() throws {
    let result = try ffc(["samples/fig11_1.ffn", "--grads"])
    #expect(result.status == 0)
    #expect(result.stderr.isEmpty)
    #expect(
      result.stdout == """
        outputs
          o  []  -4

        loss
          L  []  16

        gradients
          dL/dW1  [2, 3]   0   0   0
                          16  16  16
          dL/dW2  [2, 2]   0  16
                           0   0
          dL/dwo  [2]     -32  0

        """)
  }

  @Test func csvFormatPerExampleOverAFile() throws {
    // Rows (x, y) = (1, 2), (2, 3), (-1, 0.5) with w = 5, b = 1: errors 4, 8, -4.5.
    let result = try ffc([
      "samples/linreg.ffn", "--data", "samples/data/linreg.csv", "--grads", "--format", "csv",
    ])
    #expect(result.status == 0)
    #expect(result.stderr.isEmpty)
    #expect(
      result.stdout == """
        kind,name,index,value
        output,y_hat,0,6
        output,y_hat,1,11
        output,y_hat,2,-4
        loss,J,,33.416668
        gradient,dJ/dw,,16.333334
        gradient,dJ/db,,5

        """)
  }

  @Test func csvFormatIndexesMatrixElements() throws {
    let result = try ffc(["samples/fig11_1.ffn", "--grads", "--format", "csv"])
    #expect(result.status == 0)
    let lines = result.stdout.split(separator: "\n").map(String.init)
    #expect(lines.first == "kind,name,index,value")
    #expect(lines.count == 15)
    #expect(lines.contains("gradient,dL/dW1,1:2,16"))
    #expect(lines.contains("gradient,dL/dW2,0:1,16"))
    #expect(lines.contains("gradient,dL/dwo,0,-32"))
    #expect(lines.contains("output,o,,-4"))
  }

  @Test func jsonFormatOnFigure11_1() throws {
    let result = try ffc([
      "samples/fig11_1.ffn", "--grads", "--format", "json", "--precision", "f64",
    ])
    #expect(result.status == 0)
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect(object["precision"] as? String == "f64")
    #expect(object["rows"] == nil)
    let loss = try #require(object["loss"] as? [String: Any])
    #expect(loss["name"] as? String == "L" && loss["value"] as? Double == 16)
    let outputs = try #require(object["outputs"] as? [[String: Any]])
    #expect(
      outputs.count == 1 && outputs[0]["name"] as? String == "o"
        && outputs[0]["value"] as? Double == -4)
    let gradients = try #require(object["gradients"] as? [[String: Any]])
    #expect(gradients.map { $0["name"] as? String } == ["dL/dW1", "dL/dW2", "dL/dwo"])
    #expect(gradients[0]["shape"] as? [Int] == [2, 3])
    #expect(gradients[0]["value"] as? [[Double]] == [[0, 0, 0], [16, 16, 16]])
    #expect(gradients[2]["value"] as? [Double] == [-32, 0])
  }

  @Test func perExampleRowsSummedWithSetOverridingAParameter() throws {
    // W1 all ones: x = (1,1,1) gives o = -9, x = (3,1,2) gives o = -18; y = 0, L = 81 + 324.
    let scratch = try Scratch()
    defer { scratch.remove() }
    let data = try scratch.file("x.csv", "x1,x2,x3,y\n1,1,1,0\n3,1,2,0\n")
    let result = try ffc([
      "samples/fig11_1.ffn", "--data", data, "--set", "W1=1,1,1,1,1,1", "--reduce", "sum",
      "--format", "csv",
    ])
    #expect(result.status == 0)
    #expect(result.stdout == "kind,name,index,value\noutput,o,0,-9\noutput,o,1,-18\nloss,L,,405\n")
  }

  // MARK: - Tolerated CSV forms (read exactly, not guessed)

  @Test func crlfBomQuotesBlanksAndReorderedColumnsReadTheSameValues() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let forms: [(String, Data)] = [
      ("crlf", Data("x1,x2,x3,y\r\n1,1,1,0\r\n3,1,2,0\r\n".utf8)),
      ("bom", Data([0xEF, 0xBB, 0xBF]) + Data("x1,x2,x3,y\n1,1,1,0\n3,1,2,0\n".utf8)),
      ("quoted", Data("\"x1\",\"x2\",\"x3\",\"y\"\n\"1\",1,1,0\n3, 1 ,2,0\n\n".utf8)),
      ("reordered", Data("y,x3,x2,x1\n0,1,1,1\n0,2,1,3\n".utf8)),
      ("indexed", Data("x[0],x[1],x[2],y\n1,1,1,0\n3,1,2,0\n".utf8)),
      ("noheader", Data("1,1,1,0\n3,1,2,0".utf8)),
    ]
    for (name, bytes) in forms {
      let path = try scratch.file("\(name).csv", bytes)
      let result = try ffc(["samples/fig11_1.ffn", "--data", path, "--format", "csv"])
      #expect(result.status == 0, "\(name): \(result.stderr)")
      #expect(
        result.stdout == "kind,name,index,value\noutput,o,0,-4\noutput,o,1,-3\nloss,L,,12.5\n",
        "\(name)")
    }
  }

  // MARK: - Data errors: file:line:col, the line, a caret, exit 1

  @Test func tooManyFields() throws {
    try expectDataError(
      "x1,x2,x3,y\n1,1,1,0\n1,1,1,0,5\n", line: 3, column: 9, "expected 4 fields, found 5",
      source: "1,1,1,0,5", caret: "        ^")
    try expectDataError(
      "x1,x2,x3,y\r\n1,1,1,0,9\r\n", line: 2, column: 9, "expected 4 fields, found 5",
      source: "1,1,1,0,9", caret: "        ^")
  }

  @Test func tooFewFieldsNamesTheMissingColumn() throws {
    try expectDataError(
      "x1,x2,x3,y\n1,1,1,0\n1,1,0\n", line: 3, column: 6, "expected 4 fields, found 3; missing 'y'",
      source: "1,1,0", caret: "     ^")
  }

  @Test func notANumber() throws {
    try expectDataError(
      "x1,x2,x3,y\n1,abc,1,0\n", line: 2, column: 3, "'abc' is not a number", source: "1,abc,1,0",
      caret: "  ^~~")
    // A typo in the first line of a file without a header is a bad row, not a header.
    try expectDataError(
      "1,abc,1,0\n3,1,2,0\n", line: 1, column: 3, "'abc' is not a number", source: "1,abc,1,0",
      caret: "  ^~~")
    try expectDataError(
      "x1,x2,x3,y\n1,1,1,0\n\u{e9},1,1,0\n", line: 3, column: 1, "'\u{e9}' is not a number",
      source: "\u{e9},1,1,0", caret: "^")
  }

  @Test func emptyField() throws {
    try expectDataError(
      "x1,x2,x3,y\n1,,1,0\n", line: 2, column: 3, "empty field", source: "1,,1,0", caret: "  ^")
  }

  @Test func nonFiniteNumbers() throws {
    try expectDataError(
      "x1,x2,x3,y\n1e400,1,1,0\n", line: 2, column: 1, "'1e400' is not a finite number",
      source: "1e400,1,1,0", caret: "^~~~~")
    try expectDataError(
      "x1,x2,x3,y\n1,1,nan,0\n", line: 2, column: 5, "'nan' is not a finite number",
      source: "1,1,nan,0", caret: "    ^~~")
    try expectDataError(
      "x1,x2,x3,y\n1,1,1,-inf\n", line: 2, column: 7, "'-inf' is not a finite number",
      source: "1,1,1,-inf", caret: "      ^~~~")
  }

  @Test func emptyFilesHaveNoDataRows() throws {
    for text in ["", "x1,x2,x3,y\n", "\n  \n"] {
      let scratch = try Scratch()
      defer { scratch.remove() }
      let path = try scratch.file("data.csv", text)
      let result = try ffc(["samples/fig11_1.ffn", "--data", path])
      #expect(result.status == 1)
      #expect(result.stdout.isEmpty)
      #expect(
        result.stderr.hasPrefix("\(path):1:1: error: '\(path)' has no data rows\n"),
        "\(text.debugDescription): \(result.stderr)")
    }
  }

  @Test func labelsOutsideTheClasses() throws {
    // fig11_2.ffn: softmax over 3 logits, label y per example.
    try expectDataError(
      "x1,x2,x3,y\n1,1,1,2\n1,1,1,3\n", program: "samples/fig11_2.ffn", line: 3, column: 7,
      "label 3 is out of range for 'y': classes are 0..2", source: "1,1,1,3", caret: "      ^")
    try expectDataError(
      "x1,x2,x3,y\n1,1,1,-1\n", program: "samples/fig11_2.ffn", line: 2, column: 7,
      "label -1 is out of range for 'y': classes are 0..2", source: "1,1,1,-1", caret: "      ^~")
    try expectDataError(
      "x1,x2,x3,y\n1,1,1,1.5\n", program: "samples/fig11_2.ffn", line: 2, column: 7,
      "label 1.5 for 'y' is not a whole number; labels are class indices in 0..2",
      source: "1,1,1,1.5", caret: "      ^~~")
    // iris.ffn: a batch program; the column goes by position and the message says which.
    try expectDataError(
      "sepal_length,sepal_width,petal_length,petal_width,species\n5.1,3.5,1.4,0.2,0\n5.0,3.0,1.0,0.2,3\n",
      program: "samples/iris.ffn", line: 3, column: 17,
      "label 3 is out of range for 'species' \u{2192} 'y': classes are 0..2",
      source: "5.0,3.0,1.0,0.2,3", caret: "                ^")
  }

  @Test func labelsGivenWithSetAreCheckedToo() throws {
    for (value, message) in [
      ("3", "label 3 is out of range for 'y': classes are 0..2"),
      ("1.5", "label 1.5 for 'y' is not a whole number; labels are class indices in 0..2"),
    ] {
      let result = try ffc(["samples/fig11_2.ffn", "--set", "y=\(value)"])
      #expect(result.status == 1)
      #expect(result.stdout.isEmpty)
      #expect(result.stderr == "ffc: error: --set y=\(value): \(message)\n")
    }
  }

  @Test func columnsThatDoNotFitTheDeclaredShape() throws {
    try expectDataError(
      "x1,x2,foo,y\n1,1,1,0\n", line: 1, column: 1,
      "the header names some columns of 'x' but not 'x3'",
      source: "x1,x2,foo,y", caret: "^~~~~~~~~~~")
    try expectDataError(
      "1,1,1\n3,1,2\n", line: 1, column: 6, "expected 4 columns (x: 3, y: 1), found 3",
      source: "1,1,1", caret: "     ^")
    try expectDataError(
      "x1,x1,x3,y\n1,2,3,0\n", line: 1, column: 4, "column 'x1' appears twice",
      source: "x1,x1,x3,y", caret: "   ^~")
    try expectDataError(
      "x,y,foo\n1,2,7\n", program: "samples/linreg.ffn", line: 1, column: 5,
      "column 'foo' names no data declaration",
      source: "x,y,foo", caret: "    ^~~")
  }

  @Test func quotesMustCloseOnTheirLine() throws {
    try expectDataError(
      "x1,x2,x3,y\n\"1,1,1,0\n", line: 2, column: 1, "unterminated quote", source: "\"1,1,1,0",
      caret: "^~~~~~~~")
    try expectDataError(
      "x1,x2,x3,y\n\"1,2\",1,1,0\n", line: 2, column: 1, "'1,2' is not a number",
      source: "\"1,2\",1,1,0", caret: "^~~~~")
  }

  @Test func aColumnAndASetForTheSameDeclaration() throws {
    try expectDataError(
      "x1,x2,x3,y\n1,1,1,0\n", line: 1, column: 10,
      "column 'y' feeds 'y', which --set already gives; remove the column or the --set",
      source: "x1,x2,x3,y", caret: "         ^", extra: ["--set", "y=5"])
  }

  @Test func anErrorOnTheLastOfManyRowsIsLocated() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let rows = String(repeating: "1,1,1,0\n", count: 20_000)
    let path = try scratch.file("data.csv", "x1,x2,x3,y\n" + rows + "1,1,1,2x\n")
    let result = try ffc(["samples/fig11_1.ffn", "--data", path])
    #expect(result.status == 1)
    #expect(result.stderr.hasPrefix("\(path):20002:7: error: '2x' is not a number\n"))
  }

  @Test func unreadableDataFiles() throws {
    let missing = try ffc(["samples/fig11_1.ffn", "--data", "no/such/data.csv"])
    #expect(
      missing.status == 1
        && missing.stderr == "ffc: error: cannot read 'no/such/data.csv': no such file\n")
    let directory = try ffc(["samples/fig11_1.ffn", "--data", "samples"])
    #expect(
      directory.status == 1
        && directory.stderr == "ffc: error: cannot read 'samples': it is a directory\n")
    let scratch = try Scratch()
    defer { scratch.remove() }
    let binary = try scratch.file("garbage.csv", Data([0x31, 0x2C, 0xFF, 0xFE, 0x00, 0x80, 0x0A]))
    let garbage = try ffc(["samples/fig11_1.ffn", "--data", binary])
    #expect(
      garbage.status == 1
        && garbage.stderr == "ffc: error: cannot read '\(binary)': it is not UTF-8 text\n")
  }

  // MARK: - --set errors are errors in the values: exit 1, the option quoted

  @Test func setValuesThatDoNotFitTheProgram() throws {
    let cases: [([String], String)] = [
      (["--set", "x=1,1"], "--set x=1,1: 'x' is declared [3], so --set x needs 3 values; got 2"),
      (
        ["--set", "W1=[[1,2,3],[4,5]]"],
        "--set W1=[[1,2,3],[4,5]]: lists at one level must have one length; found 3 and 2"
      ),
      (
        ["--set", "W1=1,2,3,4,5"],
        "--set W1=1,2,3,4,5: 'W1' is declared [2, 3], so --set W1 needs 6 values; got 5"
      ),
      (
        ["--set", "W1=[[1,2],[3,4],[5,6]]"],
        "--set W1=[[1,2],[3,4],[5,6]]: the brackets make a value of shape [3, 2], but 'W1' is declared [2, 3]"
      ),
      (["--set", "x=1,0x10,1"], "--set x=1,0x10,1: '0x10' is not a number"),
      (
        ["--set", "h1=1,1"],
        "--set h1=1,1: 'h1' is computed by the program; --set gives inputs, targets, labels and parameters"
      ),
      (["--set", "x=1,1,1", "--set", "x=2,2,2"], "--set gives 'x' twice; give each value once"),
      (
        ["--set", "x=1e39,1,1"],
        "samples/fig11_1.ffn:15:7: error: the value 1e+39 of 'x' is too large for f32; use --precision f64"
      ),
      (["--set", "z=1"], "--set z=1: the program declares no 'z'; did you mean 'x'?"),
      (["--set", "x=1,nan,1"], "--set x=1,nan,1: 'nan' is not a finite number"),
      (["--set", "x=1,1e400,1"], "--set x=1,1e400,1: '1e400' is not a finite number"),
    ]
    for (arguments, message) in cases {
      let result = try ffc(["samples/fig11_1.ffn"] + arguments)
      #expect(result.status == 1, "\(arguments)")
      #expect(result.stdout.isEmpty)
      let expected = message.hasPrefix("samples/") ? message : "ffc: error: \(message)"
      #expect(result.stderr.hasPrefix(expected + "\n"), "\(result.stderr)")
    }
    let scratch = try Scratch()
    defer { scratch.remove() }
    let program = try scratch.file("const.ffn", "const c = 2\ninput x = 1\noutput y = x * c\n")
    let const = try ffc([program, "--set", "c=3"])
    #expect(const.status == 1)
    #expect(
      const.stderr
        == "ffc: error: --set c=3: 'c' is a const; only input, target, label and param declarations can be set\n"
    )
  }

  @Test func setWithBracketsAndSpaces() throws {
    for value in ["[1,1,1]", " 1 , 1 , 1 "] {
      let result = try ffc(["samples/fig11_1.ffn", "--set", "x=\(value)", "--format", "csv"])
      #expect(result.status == 0)
      #expect(result.stdout == "kind,name,index,value\noutput,o,,-4\nloss,L,,16\n")
    }
  }

  // MARK: - Usage errors: exit 2, nothing on stdout

  @Test func usageErrorsExitTwo() throws {
    let cases: [([String], String)] = [
      (
        ["samples/fig11_1.ffn", "--format", "xml"],
        "ffc: error: 'xml' is not a valid value for '--format'; expected one of: table, csv, json\n"
      ),
      (
        ["samples/fig11_1.ffn", "--precision", "f16"],
        "ffc: error: 'f16' is not a valid value for '--precision'; expected one of: f32, f64\n"
      ),
      (
        ["samples/fig11_1.ffn", "--reduce", "max"],
        "ffc: error: 'max' is not a valid value for '--reduce'; expected one of: mean, sum\n"
      ),
      (
        ["samples/fig11_1.ffn", "--seed", "-1"],
        "ffc: error: '-1' is not a valid value for '--seed'; expected a whole number \u{2265} 0\n"
      ),
      (
        ["samples/fig11_1.ffn", "--seed", "1.5"],
        "ffc: error: '1.5' is not a valid value for '--seed'; expected a whole number \u{2265} 0\n"
      ),
      (
        ["samples/fig11_1.ffn", "--grad"],
        "ffc: error: unknown option '--grad' for 'run'; did you mean '--grads'?\n"
      ),
      (["samples/fig11_1.ffn", "--set"], "ffc: error: option '--set' needs a value\n"),
      (["samples/fig11_1.ffn", "--data"], "ffc: error: option '--data' needs a value\n"),
      ([], "ffc: error: 'run' needs a program file\n"),
      (["a.ffn", "b.ffn"], "ffc: error: 'run' takes one program file, got 2: a.ffn b.ffn\n"),
      (["samples/chain.ffn", "--grads=yes"], "ffc: error: option '--grads' takes no value\n"),
    ]
    for (arguments, firstLine) in cases {
      let result = try ffc(arguments)
      #expect(result.status == 2, "\(arguments)")
      #expect(result.stdout.isEmpty, "\(arguments)")
      #expect(
        result.stderr.hasPrefix(firstLine + "usage: ffc run <file.ffn>"),
        "\(arguments): \(result.stderr)")
    }
  }

  @Test func optionsThatDoNotApplyToTheProgramExitTwo() throws {
    let noData = try ffc(["samples/fig11_1.ffn", "--reduce", "sum"])
    #expect(noData.status == 2 && noData.stdout.isEmpty)
    #expect(
      noData.stderr
        == "ffc: error: '--reduce' combines the rows of a data file for a per-example program; give one with --data\n"
    )
    let batch = try ffc(["samples/iris.ffn", "--data", "samples/data/iris.csv", "--reduce", "mean"])
    #expect(batch.status == 2 && batch.stdout.isEmpty)
    #expect(
      batch.stderr.hasPrefix("ffc: error: '--reduce' applies to programs written for one example"))
    let scratch = try Scratch()
    defer { scratch.remove() }
    let program = try scratch.file("noloss.ffn", "input x = 1\noutput y = x + 1\n")
    let noLoss = try ffc([program, "--grads"])
    #expect(noLoss.status == 2 && noLoss.stdout.isEmpty)
    #expect(
      noLoss.stderr.hasPrefix(
        "ffc: error: '--grads' needs a loss, and '\(program)' declares none\n"))
  }

  // MARK: - Programs: errors exit 1, no outputs is not an error

  @Test func programErrorsAndMissingValuesExitOne() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let parse = try scratch.file("parse.ffn", "param x = \n")
    let parsed = try ffc([parse])
    #expect(parsed.status == 1)
    #expect(
      parsed.stderr.hasPrefix("\(parse):1:10: error: expected an expression, found end of line\n"))
    let missing = try ffc(["samples/iris.ffn"])
    #expect(missing.status == 1)
    #expect(
      missing.stderr
        == diagnostic(
          "samples/iris.ffn", 16, 7, "no value for input 'X'; give it with --set or --data",
          source: "input X[N, 4]", caret: "      ^"))
    let noOutputs = try scratch.file("empty.ffn", "# nothing\n")
    let empty = try ffc([noOutputs])
    #expect(empty.status == 0 && empty.stdout == "(the program declares no outputs and no loss)\n")
    let json = try ffc([noOutputs, "--format", "json"])
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    #expect(object["loss"] is NSNull && (object["outputs"] as? [Any])?.isEmpty == true)
  }

  // MARK: - NaN and infinity

  @Test func nanPrintsWithoutCheckNumerics() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let program = try scratch.file(
      "sqrt.ffn", "param x[3] = [1, -1, 0]\nh = sqrt(x)\noutput h\nloss L = sum(h)\n")
    let table = try ffc([program, "--grads"])
    #expect(table.status == 0)
    #expect(
      table.stdout == """
        outputs
          h  [3]  1  nan  0

        loss
          L  []  nan

        gradients
          dL/dx  [3]  0.5  nan  inf

        """)
    let csv = try ffc([program, "--format", "csv"])
    #expect(
      csv.stdout
        == "kind,name,index,value\noutput,h,0,1\noutput,h,1,nan\noutput,h,2,0\nloss,L,,nan\n")
  }

  @Test func jsonStaysValidWithNaNAndInfinity() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let program = try scratch.file(
      "sqrt.ffn", "param x[3] = [1, -1, 0]\nh = sqrt(x)\noutput h\nloss L = sum(h)\n")
    let result = try ffc([program, "--grads", "--format", "json", "--trace"])
    #expect(result.status == 0)
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    let h = try #require((object["outputs"] as? [[String: Any]])?.first?["value"] as? [Any])
    #expect(
      h.count == 3 && h[0] as? Double == 1 && h[1] as? String == "nan" && h[2] as? Double == 0)
    #expect((object["loss"] as? [String: Any])?["value"] as? String == "nan")
    let gradient = try #require(
      (object["gradients"] as? [[String: Any]])?.first?["value"] as? [Any])
    #expect(
      gradient[0] as? Double == 0.5 && gradient[1] as? String == "nan"
        && gradient[2] as? String == "inf")
    #expect((object["trace"] as? [Any])?.isEmpty == false)

    let log = try scratch.file("log.ffn", "param x = 0\ny = log(x)\noutput y\n")
    let negative = try ffc([log, "--format", "json"])
    let parsed = try #require(
      try JSONSerialization.jsonObject(with: Data(negative.stdout.utf8)) as? [String: Any])
    #expect((parsed["outputs"] as? [[String: Any]])?.first?["value"] as? String == "-inf")
  }

  @Test func checkNumericsNamesTheFirstNonFiniteNode() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let nan = try scratch.file("nan.ffn", "param x = -1\nloss L = log(x)\n")
    let plain = try ffc([nan])
    #expect(plain.status == 0 && plain.stdout == "loss\n  L  []  nan\n")
    let checked = try ffc([nan, "--check-numerics"])
    #expect(checked.status == 1)
    #expect(checked.stdout.isEmpty)
    // After the linter's warning about log(x) (the program is unstable on purpose), the error.
    #expect(
      checked.stderr.hasSuffix(
        diagnostic(
          nan, 2, 10, "'log' produced nan in 'L', computing in f32", source: "loss L = log(x)",
          caret: "         ^~~~~~")
          + "note: --check-numerics stops at the first value that is not finite\n"))
    #expect(
      checked.stderr.contains(
        "\(nan):2:10: warning: the logarithm of a value that can be 0 or negative"))

    let infinity = try scratch.file(
      "inf.ffn", "param x = 0\ny = log(x)\noutput y\nloss L = y * 0\n")
    let first = try ffc([infinity, "--check-numerics", "--precision", "f64"])
    #expect(first.status == 1)
    #expect(
      first.stderr.contains(
        "\(infinity):2:5: error: 'log' produced an infinity in 'y', computing in f64\n"))
  }

  @Test func checkNumericsInTheBackwardPassAndPerRow() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let backward = try scratch.file("bwd.ffn", "param x = 0\nloss L = sqrt(x)\n")
    let forwardOnly = try ffc([backward, "--check-numerics"])
    #expect(forwardOnly.status == 0 && forwardOnly.stdout == "loss\n  L  []  0\n")
    let gradient = try ffc([backward, "--check-numerics", "--grads"])
    #expect(gradient.status == 1)
    #expect(
      gradient.stderr.contains(
        "\(backward):2:10: error: 'div' produced an infinity in 'dL/dx', computing in f32\n"))

    let program = try scratch.file(
      "rows.ffn", "input x\nparam w = 1\noutput r = sqrt(w * x)\nloss L = r\n")
    let data = try scratch.file("rows.csv", "x\n1\n4\n-1\n9\n")
    let unchecked = try ffc([program, "--data", data, "--format", "csv"])
    #expect(unchecked.status == 0)
    #expect(
      unchecked.stdout
        == "kind,name,index,value\noutput,r,0,1\noutput,r,1,2\noutput,r,2,nan\noutput,r,3,3\nloss,L,,nan\n"
    )
    let checked = try ffc([program, "--data", data, "--check-numerics"])
    #expect(checked.status == 1)
    #expect(
      checked.stderr.contains(
        "\(program):3:12: error: 'sqrt' produced nan in 'r' (data row 3), computing in f32\n"))
  }

  // MARK: - Size

  @Test func aDeepChainRunsAndDifferentiates() throws {
    let depth = 1000
    let scratch = try Scratch()
    defer { scratch.remove() }
    var lines = ["param h0 = 0.5"]
    for i in 1...depth { lines.append("h\(i) = tanh(h\(i - 1))") }
    lines.append("loss L = h\(depth)")
    let program = try scratch.file("deep.ffn", lines.joined(separator: "\n") + "\n")
    let result = try ffc([program, "--grads", "--precision", "f64", "--format", "json"])
    #expect(result.status == 0, "\(result.stderr.prefix(500))")
    var h = 0.5
    var derivative = 1.0
    for _ in 0..<depth {
      h = Foundation.tanh(h)
      derivative *= 1 - h * h
    }
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    let loss = try #require((object["loss"] as? [String: Any])?["value"] as? Double)
    let gradient = try #require(
      (object["gradients"] as? [[String: Any]])?.first?["value"] as? Double)
    #expect(abs(loss - h) <= 1e-12 * abs(h))
    #expect(abs(gradient - derivative) <= 1e-9 * abs(derivative))
  }

  /// Found by adversarial testing: each of these once crashed or gave a silently wrong answer.
  @Test func valuesTooLargeForMemoryOrLabelsOutOfRangeAreErrors() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let huge = try scratch.file(
      "huge.ffn", "param W[2147483648, 2147483648, 2147483648]\nloss L = sum(W)\n")
    let hugeRun = try ffc([huge])
    #expect(hugeRun.status == 1)
    #expect(
      hugeRun.stderr.contains(
        "huge.ffn:1:7: error: param 'W' of shape [2147483648, 2147483648, 2147483648] needs more bytes than can be counted"
      ))
    let square = try scratch.file("square.ffn", "input X[N, 1]\noutput s = sum(X @ X.T)\n")
    let rows = try scratch.file("rows.csv", "x\n" + String(repeating: "1\n", count: 300_000))
    let squareRun = try ffc([square, "--data", rows])
    #expect(squareRun.status == 1)
    #expect(
      squareRun.stderr.contains(
        "square.ffn:2:16: error: this matmul of shape [300000, 300000] needs 335.3 GiB"))
    let label = try scratch.file(
      "label.ffn", "label y = 5\ninput z[3] = [1, 2, 3]\nloss L = cross_entropy(z, y)\n")
    let labelRun = try ffc([label])
    #expect(labelRun.status == 1)
    #expect(
      labelRun.stderr.hasPrefix(
        "\(label):1:7: error: label 5 is out of range for 'y': classes are 0..2\n"))
    let syntax = try ffc(["samples/fig11_1.ffn", "--set", "x"])
    #expect(syntax.status == 2)
  }

  /// A batch of one row: x − max(x) fuses to one step reading x in place and the [1, 1] maximum as
  /// a single value, which needs no scratch memory; the fused kernel then skipped its work and
  /// printed zeros.
  @Test func aBatchOfOneRowThroughAOneStepFusedNode() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let program = try scratch.file(
      "shift.ffn", "input X[N, 3]\nu = X - max(X, axis=1, keepdims=1)\noutput u\n")
    let rows = try scratch.file("rows.csv", "X[0],X[1],X[2]\n-1,2,1\n")
    for precision in ["f32", "f64"] {
      let result = try ffc([program, "--data", rows, "--format", "csv", "--precision", precision])
      #expect(result.status == 0)
      #expect(
        result.stdout
          == "kind,name,index,value\noutput,u,0:0,-3\noutput,u,0:1,0\noutput,u,0:2,-1\n",
        "\(precision)")
    }
  }
}
