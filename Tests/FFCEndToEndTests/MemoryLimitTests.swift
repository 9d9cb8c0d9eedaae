import FFCTestSupport
import Foundation
import Testing

/// Every command that allocates checks the memory budget first, and an allocation too large for
/// the machine or the process's limits is exit 1 with a message naming the value, never an abort
/// (exit 134). Run through the binary, since an abort would end the test process.
@Suite struct MemoryLimitTests {
  static let hugeInput = "input x[2147483648, 4]\nparam w[4, 1] = 0.1\nloss L = sum(x @ w)\n"

  @Test func benchOfAHugeBatchIsAnError() throws {
    let result = try BinaryRunner.run(["bench", "samples/iris.ffn", "--batch", "1000000000"])
    #expect(result.status == 1, "\(result.stderr)")
    #expect(
      result.stderr.contains(
        "samples/iris.ffn:16:7: error: random data for input 'X' of shape [1000000000, 4] needs 29.8 GiB, more than"
      ), "\(result.stderr)")
  }

  @Test func checkAndBenchOfAHugeInputAreErrors() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let program = try scratch.file("huge.ffn", Self.hugeInput)
    for command in ["check", "bench", "run"] {
      let result = try BinaryRunner.run([command, program])
      #expect(result.status == 1, "\(command): \(result.stderr)")
      #expect(result.stderr.contains("huge.ffn:1:7: error: "), "\(command): \(result.stderr)")
    }
  }

  /// `ulimit -v` is part of the budget: the message names it, and nothing aborts.
  @Test func theAddressSpaceLimitIsPartOfTheBudget() throws {
    let limited: [[String]] = [
      ["bench", "samples/iris.ffn", "--batch", "60000000"],
      [
        "compile", "samples/iris.ffn", "--stats=counts", "--bind", "N=100000000", "-o", "/dev/null",
      ],
      ["run", "samples/iris.ffn", "--set", "X=[[1, 2, 3, 4]]", "--set", "y=[0]"],
    ]
    for arguments in limited {
      let result = try BinaryRunner.run(
        ["-c", "ulimit -v 1500000 && exec \"$0\" \"$@\"", BinaryRunner.executable.path]
          + arguments, executable: URL(fileURLWithPath: "/bin/sh"))
      #expect(result.status != 134, "\(arguments): \(result.stderr)")
      switch arguments[0] {
      case "bench":
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("this process may still address (ulimit -v)"))
      case "compile":
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
          result.stderr.contains("f64: cannot be planned for these sizes: 'X' of shape"),
          "\(result.stderr)")
        #expect(result.stderr.contains("(ulimit -v)"), "\(result.stderr)")
      default:
        // A small program still runs within the limit.
        #expect(result.status == 0, "\(result.stderr)")
      }
    }
  }

  /// Training's parameter buffers come from the budget's checked allocation: a parameter whose
  /// value fits but whose buffers then do not is exit 1 naming it, not an abort in Swift's
  /// allocator. The parameter is sized from the budget the same command reports under the limit.
  @Test func parameterBuffersThatDoNotFitAreAnError() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let data = try scratch.file("x.csv", "x\n1\n2\n")
    func train(_ elements: String) throws -> BinaryRunner.Result {
      let program = try scratch.file(
        "w.ffn", "input x[N]\nparam w[\(elements)] = zeros\nloss L = sum(w * w) + sum(x)\n")
      return try BinaryRunner.run(
        ["-c", "ulimit -v 1500000 && exec \"$0\" \"$@\"", BinaryRunner.executable.path, "train"]
          + [program, "--data", data, "--epochs", "1", "--precision", "f64"],
        executable: URL(fileURLWithPath: "/bin/sh"))
    }
    // "... needs 1.5 TiB, more than the 1.4 GiB this process may still address (ulimit -v)"
    let budget = try Self.budget(try train("2000000000, 100").stderr)
    // The value (f64) takes 0.7 of the budget, so it is made; its buffer then cannot be.
    let result = try train(String(Int(0.7 * budget / 8)))
    #expect(result.status == 1, "\(result.stderr)")
    #expect(result.stderr.contains("'w'"), "\(result.stderr)")
  }

  /// The trained values are not copied: the result, a save and a checkpoint read the training
  /// buffers (before, an f64 copy was made, and one that no longer fit was exit 1). In f32 the
  /// buffers and the plan take about 16 bytes a weight, a copy 8 more: sized at 20 bytes a weight
  /// of the budget, training runs and finishes, with a checkpoint too. (A lower limit than the
  /// other tests': a debug build trains a smaller model faster.)
  @Test func trainingNeedsNoCopyOfItsValues() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let data = try scratch.file("x.csv", "x\n1\n2\n")
    func train(_ elements: String, _ more: [String] = []) throws -> BinaryRunner.Result {
      let program = try scratch.file(
        "w.ffn", "input x[N]\nparam w[\(elements)] = zeros\nloss L = sum(w * w) + sum(x)\n")
      return try BinaryRunner.run(
        ["-c", "ulimit -v 700000 && exec \"$0\" \"$@\"", BinaryRunner.executable.path, "train"]
          + [program, "--data", data, "--epochs", "1", "--precision", "f32"] + more,
        executable: URL(fileURLWithPath: "/bin/sh"))
    }
    let budget = try Self.budget(try train("2000000000, 100").stderr)
    for more in [[], ["--checkpoint", scratch.url.appendingPathComponent("w.ckpt").path]] {
      let trained = try train(String(Int(budget / 20)), more)
      #expect(trained.status == 0, "\(more): \(trained.stderr)")
      #expect(trained.stdout.contains("trained 1 epoch"), "\(more): \(trained.stdout)")
    }
  }

  /// The budget in bytes a message "... more than the 1.4 GiB this process may ..." names.
  static func budget(_ message: String) throws -> Double {
    let words =
      message.components(separatedBy: "more than the ").last?.split(separator: " ") ?? []
    let units = ["bytes": 1.0, "KiB": 1024.0, "MiB": 1024.0 * 1024, "GiB": 1024.0 * 1024 * 1024]
    return try #require(
      words.count > 1
        ? Double(words[0]).flatMap { n in units[String(words[1])].map { n * $0 } } : nil,
      "\(message)")
  }

  /// A number filling an input or a target of a shape larger than the memory is spread when the
  /// program runs, within the budget: `compile` keeps the one number, and the commands that run
  /// the program say what it needs (the front end spread it at once and aborted).
  @Test func aNumberFillingAHugeInputIsAnError() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let program = try scratch.file(
      "fill.ffn",
      "input x[2000000000, 100] = 0\ntarget t[2000000000, 100] = 1\nparam w = 0.5\n"
        + "loss L = mse(x * w, t)\n")
    let compiled = try BinaryRunner.run(["compile", program])
    #expect(compiled.status == 0, "\(compiled.stderr)")
    #expect(compiled.stdout.contains("[2000000000, 100] = 0"), "\(compiled.stdout)")
    for command in ["run", "check", "bench"] {
      let result = try BinaryRunner.run([command, program])
      #expect(result.status == 1, "\(command): \(result.stderr)")
      #expect(
        result.stderr.contains("fill.ffn:1:7: error: ") && result.stderr.contains("needs"),
        "\(command): \(result.stderr)")
    }
  }

  /// A number filling a parameter of a shape larger than the memory is spread when the program
  /// runs, within the budget: `compile` prints it as the one number, `run` says what it needs (the
  /// front end spread it at once and aborted).
  @Test func aNumberFillingAHugeParameterIsAnError() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let program = try scratch.file("fill.ffn", "param w[2000000000, 100] = 0\nloss L = sum(w)\n")
    let compiled = try BinaryRunner.run(["compile", program])
    #expect(compiled.status == 0, "\(compiled.stderr)")
    #expect(compiled.stdout.contains("= 0"), "\(compiled.stdout)")
    let run = try BinaryRunner.run(["run", program])
    #expect(run.status == 1, "\(run.stderr)")
    #expect(
      run.stderr.contains("fill.ffn:1:7: error: param 'w' of shape [2000000000, 100] needs"),
      "\(run.stderr)")
    // A dense layer's weights given as one number, the same.
    let dense = try scratch.file(
      "dense.ffn", "input x[1, 1000] = 0\nh = dense(x, 900000000, W=0.5)\nloss L = sum(h)\n")
    #expect(try BinaryRunner.run(["compile", dense]).status == 0)
    let layer = try BinaryRunner.run(["run", dense])
    #expect(layer.status == 1, "\(layer.stderr)")
    #expect(
      layer.stderr.contains("param 'h.W' of shape [1000, 900000000] needs"), "\(layer.stderr)")
  }

  /// A constant is made while compiling, so a number filling a huge constant is an error at its
  /// value, naming the way out (the front end spread it at once and aborted).
  @Test func aNumberFillingAHugeConstantIsAnError() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let program = try scratch.file(
      "fill.ffn", "const C[100000, 100000] = 0\ninput x[100000]\nloss L = sum(C @ x)\n")
    let onnx = program.replacingOccurrences(of: "fill.ffn", with: "fill.onnx")
    for arguments in [["compile"], ["run"], ["check"], ["export", "-o", onnx]] {
      let command = arguments[0]
      let result = try BinaryRunner.run([command, program] + arguments.dropFirst())
      #expect(result.status == 1, "\(command): \(result.stderr)")
      #expect(
        result.stderr.contains("fill.ffn:1:27: error: constant 'C' spreads one number over"),
        "\(command): \(result.stderr)")
    }
  }
}
