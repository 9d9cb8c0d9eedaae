import FFCTestSupport
import Foundation
import Testing

/// `ffc train` and `ffc check` through the built binary: results, files, exit codes, Ctrl-C.
@Suite struct TrainCLITests {
  func ffc(_ arguments: [String]) throws -> BinaryRunner.Result { try BinaryRunner.run(arguments) }

  @Test func trainsXORAndLogsEveryEpoch() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let log = scratch.url.appendingPathComponent("log.csv").path
    let result = try ffc([
      "train", "samples/xor.ffn", "--data", "samples/data/xor.csv", "--epochs", "2000", "--lr",
      "0.1", "--seed", "1",
      "--log", log,
    ])
    #expect(result.status == 0, "\(result.stderr)")
    let lines = result.stdout.split(separator: "\n")
    // Not a terminal: one plain line per epoch, then the summary.
    #expect(lines.count == 2002)
    #expect(lines[0].hasPrefix("epoch    1/2000  loss "))
    #expect(lines[2000].hasPrefix("trained 2000 epochs in "))
    #expect(lines[2000].hasSuffix("(sgd, lr 0.1, batch all, f32, 4 rows)"))
    let logText = try String(contentsOfFile: log, encoding: .utf8)
    #expect(logText.hasPrefix("epoch,train_loss,train_accuracy,val_loss,val_accuracy,seconds\n1,"))
    #expect(logText.split(separator: "\n").count == 2001)
  }

  @Test func reportsValidationAccuracyForClassifiers() throws {
    let result = try ffc([
      "train", "samples/iris.ffn", "--data", "samples/data/iris.csv", "--split", "0.8",
      "--optimizer", "adam",
      "--lr", "0.01", "--epochs", "300", "--batch", "16", "--seed", "1", "--quiet",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    let lines = result.stdout.split(separator: "\n")
    #expect(lines.count == 3)
    let validation = try #require(lines.last)
    #expect(validation.hasPrefix("  validation loss "))
    #expect(validation.hasSuffix("(30 rows)"))
    // At least 95% of the 30 held-out rows: 29 or 30 right.
    #expect(validation.contains("accuracy 96.7%") || validation.contains("accuracy 100.0%"))
  }

  @Test func badFlagsAreUsageErrors() throws {
    let base = ["train", "samples/xor.ffn", "--data", "samples/data/xor.csv"]
    let cases: [([String], String)] = [
      (
        ["--lr", "-1"],
        "'-1' is not a valid value for '--lr'; expected a number above 0 (finite: at most about 1.8e308)"
      ),
      (
        ["--lr", "1e400"],
        "'1e400' is not a valid value for '--lr'; expected a number above 0 (finite: at most about 1.8e308)"
      ),
      (
        ["--optimizer", "rmsprop"],
        "'rmsprop' is not a valid value for '--optimizer'; expected one of: sgd, momentum, adam"
      ),
      (
        ["--split", "1.5"],
        "'1.5' is not a valid value for '--split'; expected a fraction between 0 and 1, such as 0.8"
      ),
      (["--split", "0.8", "--val", "samples/data/xor.csv"], "give '--split' or '--val', not both"),
      (["--momentum", "0.5"], "'--momentum' is an option of '--optimizer momentum'"),
      (
        ["--epochs", "0"],
        "'0' is not a valid value for '--epochs'; expected a whole number from 1 to 1000000000"
      ),
      (
        ["--batch", "100000000000"],
        "'100000000000' is not a valid value for '--batch'; expected a whole number from 1 to 1000000000"
      ),
    ]
    for (extra, message) in cases {
      let result = try ffc(base + extra)
      #expect(result.status == 2, "\(extra)")
      #expect(result.stderr.hasPrefix("ffc: error: \(message)\n"), "\(result.stderr)")
    }
  }

  @Test func badProgramsAndDataExitOne() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let noData = try ffc(["train", "samples/xor.ffn"])
    // A missing required option is a usage error (2), with the usage line.
    #expect(noData.status == 2, "\(noData.stderr)")
    #expect(noData.stderr.hasPrefix("ffc: error: 'train' needs --data <file>\nusage: "))
    let noLoss = try scratch.file("noloss.ffn", "input x\nparam w = 1\noutput y = w * x\n")
    let data = try scratch.file("x.csv", "x\n1\n2\n")
    let lossless = try ffc(["train", noLoss, "--data", data])
    #expect(
      lossless.status == 1 && lossless.stderr.contains("error: the program declares no loss"),
      "\(lossless.stderr)")
    let badData = try scratch.file("bad.csv", "X1,X2,y\n0,0,0\n0,one,1\n")
    let bad = try ffc(["train", "samples/xor.ffn", "--data", badData])
    #expect(
      bad.status == 1 && bad.stderr.hasPrefix("\(badData):3:3: error: 'one' is not a number\n"))
    let blowUp = try scratch.file(
      "blow.ffn",
      "input X[N]\ntarget y[N]\nparam w = 1\nh = exp(X * w * 50)\nloss L = mean((h - y)^2)\n")
    let rows = try scratch.file("rows.csv", "X,y\n1,0\n2,1\n")
    let nan = try ffc(["train", blowUp, "--data", rows, "--lr", "10", "--check-numerics"])
    #expect(nan.status == 1)
    // The lint saw it coming; training then stops at the first step that overflows.
    #expect(
      nan.stderr.hasPrefix("\(blowUp):4:5: warning: exp of a value that can exceed 88.7"),
      "\(nan.stderr)")
    #expect(
      nan.stderr.contains(
        "\(blowUp):4:5: error: the loss stopped being finite at epoch 1, step 1: 'exp' produced a NaN or an infinity in 'h'"
      ), "\(nan.stderr)")
  }

  /// Ctrl-C stops after the current step: the summary says so, the log is written, exit 130.
  @Test func ctrlCStopsCleanly() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let log = scratch.url.appendingPathComponent("log.csv").path
    let process = Process()
    process.executableURL = BinaryRunner.executable
    process.arguments = [
      "train", "samples/digits.ffn", "--data", "samples/data/digits.csv", "--epochs", "100000",
      "--batch", "64",
      "--log", log,
    ]
    process.currentDirectoryURL = Repository.root
    let out = Pipe()
    process.standardOutput = out
    process.standardError = Pipe()
    try process.run()
    // Wait for the first epoch's line, then interrupt.
    var seen = Data()
    while !String(decoding: seen, as: UTF8.self).contains("\n") {
      let chunk = out.fileHandleForReading.availableData
      if chunk.isEmpty { break }
      seen.append(chunk)
    }
    process.interrupt()
    seen.append(out.fileHandleForReading.readDataToEndOfFile())
    process.waitUntilExit()
    let text = String(decoding: seen, as: UTF8.self)
    #expect(process.terminationStatus == 130, "\(text)")
    #expect(text.contains("interrupted after "))
    #expect((try? String(contentsOfFile: log, encoding: .utf8))?.hasPrefix("epoch,") == true)
  }

  @Test func checkPassesOnEverySample() throws {
    for sample in Repository.sampleFiles() {
      let result = CLI.run(["check", "samples/\(sample)", "--max-elements", "20"])
      #expect(result.code == .success, "\(sample): \(result.stdout)\(result.stderr)")
      // A gradient through a function's stated derivative is not checked, and says so.
      let agrees = ["every gradient agrees\n", "every gradient checked agrees; "]
      #expect(agrees.contains { result.stdout.contains($0) }, "\(sample)")
      // A program with jvp, jacobian or hessian values gets a second table, after the first.
      #expect(
        result.stdout.hasSuffix("every derivative value agrees\n")
          || result.stdout.split(separator: "\n").last.map { line in
            agrees.contains { line.hasPrefix($0.trimmingCharacters(in: .newlines)) }
          } == true, "\(sample)")
    }
  }

  @Test func checkPrintsOneRowPerParameter() throws {
    let result = try ffc(["check", "samples/fig11_1.ffn"])
    #expect(result.status == 0)
    let lines = result.stdout.split(separator: "\n")
    #expect(
      lines[0]
        == "gradient check of samples/fig11_1.ffn in f64: central differences with ε = 1e-06, tolerance 1e-05"
    )
    #expect(lines[1] == "parameter  shape   checked  max abs error  max rel error  result")
    #expect(lines[2].hasPrefix("W1         [2, 3]  6 ") && lines[2].hasSuffix("ok"))
    #expect(lines.count == 6)
    let bad = try ffc(["check", "samples/fig11_1.ffn", "--eps", "0"])
    #expect(bad.status == 2)
  }

  /// --save writes the program with its learned values: run reads it, and a second train
  /// continues from it instead of starting over.
  @Test func savedProgramsRunAndContinue() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let saved = scratch.url.appendingPathComponent("xor-trained.ffn").path
    let train = try ffc([
      "train", "samples/xor.ffn", "--data", "samples/data/xor.csv", "--epochs", "2000", "--lr",
      "0.1", "--seed", "1",
      "--save", saved, "--quiet",
    ])
    #expect(train.status == 0 && train.stdout.hasSuffix("saved the trained program to \(saved)\n"))
    let text = try String(contentsOfFile: saved, encoding: .utf8)
    #expect(
      text.hasPrefix(
        "# ffc train: ffc train samples/xor.ffn (sgd, lr 0.1, batch all, f32), 2000 epochs, training loss "
      ))
    #expect(text.contains("param W[2, 4] = [["))
    let run = try ffc(["run", saved, "--data", "samples/data/xor.csv", "--format", "csv"])
    #expect(run.status == 0)
    let outputs = run.stdout.split(separator: "\n").filter { $0.hasPrefix("output,f,") }.compactMap
    { Double($0.split(separator: ",")[3]) }
    #expect(outputs.count == 4)
    for (output, target) in zip(outputs, [0.0, 1, 1, 0]) {
      #expect(abs(output - target) < 0.1, "\(outputs)")
    }
    // Continuing: the first epoch starts from the learned values, so its loss is already small.
    let again = try ffc([
      "train", saved, "--data", "samples/data/xor.csv", "--epochs", "1", "--lr", "0.1", "--save",
      saved,
    ])
    #expect(again.status == 0)
    let firstLoss = again.stdout.split(separator: "\n").first.flatMap { line in
      line.split(separator: " ").drop { $0 != "loss" }.dropFirst().first.flatMap { Double($0) }
    }
    #expect((firstLoss ?? 1) < 0.001, "\(again.stdout)")
    let resaved = try String(contentsOfFile: saved, encoding: .utf8)
    #expect(
      resaved.components(separatedBy: "# ffc train:").count == 2, "one note line after two saves")
  }

  /// Parameters whose names sort against their declaration order train, validate and save as
  /// the same program with names in order does: they are linked to their gradients, buffers and
  /// values by declaration, never by name.
  @Test func parametersNamedAgainstTheirOrderTrainAndSaveAsInOrder() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let program = """
      input X[N, 2]
      target y[N]
      param zz[2, 3] = [[0.5, -0.3, 0.2], [0.1, 0.4, -0.6]]
      param aa[3] = [0.2, -0.1, 0.3]
      param mm[3] = [0.7, -0.2, 0.5]
      f = tanh(X @ zz + aa) @ mm
      loss J = mse(f, y)

      """
    // Names as long as the originals, so the saved literals line up the same.
    let renaming = [("zz", "p1"), ("aa", "p2"), ("mm", "p3")]
    let inOrder = renaming.reduce(program) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
    func train(_ text: String, _ name: String) throws -> (summary: String, saved: String) {
      let path = try scratch.file("\(name).ffn", text)
      let saved = scratch.url.appendingPathComponent("\(name)-trained.ffn").path
      let result = try ffc([
        "train", path, "--data", "samples/data/xor.csv", "--val", "samples/data/xor.csv",
        "--epochs", "20", "--batch", "3", "--optimizer", "adam", "--lr", "0.05", "--quiet",
        "--save", saved,
      ])
      #expect(result.status == 0, "\(result.stderr)")
      let summary = result.stdout.split(separator: "\n").dropFirst().dropLast().joined(
        separator: "\n")
      // The first line is the note, which names the file.
      let text = try String(contentsOfFile: saved, encoding: .utf8)
      return (
        summary,
        String(
          text.split(separator: "\n", omittingEmptySubsequences: false)
            .dropFirst().joined(separator: "\n"))
      )
    }
    let against = try train(program, "against")
    let ordered = try train(inOrder, "ordered")
    #expect(against.summary.contains("validation loss"))
    #expect(against.summary == ordered.summary)
    let renamed = renaming.reduce(against.saved) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
    #expect(renamed == ordered.saved)
    #expect(!against.saved.contains("0.5, -0.3, 0.2"), "the values were not saved")
  }
}
