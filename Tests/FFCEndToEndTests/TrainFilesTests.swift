import FFCDriver
import FFCTestSupport
import Foundation
import Testing

/// What `ffc train` writes, and when: outputs checked before the first step, the model saved
/// before anything else, the log written as training goes, signals, checkpoints and resume,
/// and no output over an input.
@Suite(.serialized) struct TrainFilesTests {
  func ffc(_ arguments: [String]) throws -> BinaryRunner.Result { try BinaryRunner.run(arguments) }
  let xor = ["train", "samples/xor.ffn", "--data", "samples/data/xor.csv"]

  /// A missing directory, or one that takes no files (/proc, even for root), for any output: exit
  /// 1 at once, naming the file, before a step is taken.
  @Test func outputsAreCheckedBeforeTheFirstStep() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let missing = scratch.url.appendingPathComponent("no/such/out").path
    for flag in ["--save", "--log", "--checkpoint"] {
      for path in [missing, "/proc/ffc-out"] {
        let result = try ffc(xor + ["--epochs", "5", flag, path])
        #expect(result.status == 1, "\(flag) \(path)")
        #expect(result.stdout.isEmpty, "no epoch ran: \(result.stdout)")
        #expect(result.stderr.hasPrefix("ffc: error: cannot write '\(path)': "), "\(result.stderr)")
      }
    }
  }

  /// A parameter of rank 3 trains, saves as nested lists and reads back (it was lost with
  /// "literals have at most two dimensions").
  @Test func aRankThreeParameterIsSaved() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let program = try scratch.file(
      "r3.ffn",
      """
      input X[N, 2]
      target y[N]
      param T[2, 2, 3] = normal(0, 0.1)
      loss L = mean((sum(X @ sum(T, axis=0), axis=1) - y)^2)

      """)
    let saved = scratch.url.appendingPathComponent("r3-trained.ffn").path
    let train = try ffc([
      "train", program, "--data", "samples/data/xor.csv", "--epochs", "3", "--save", saved,
    ])
    #expect(train.status == 0, "\(train.stderr)")
    let text = try String(contentsOfFile: saved, encoding: .utf8)
    #expect(text.contains("param T[2, 2, 3] = [[["), "\(text)")
    let again = try ffc(["train", saved, "--data", "samples/data/xor.csv", "--epochs", "1"])
    #expect(again.status == 0, "\(again.stderr)")
  }

  /// A log that cannot be written (/dev/full) is found when its header is written, before the
  /// first step: exit 1, nothing trained, nothing saved over.
  @Test func aLogThatCannotBeWrittenStopsBeforeTraining() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let saved = scratch.url.appendingPathComponent("saved.ffn").path
    let result = try ffc(xor + ["--epochs", "5", "--save", saved, "--log", "/dev/full"])
    #expect(result.status == 1, "\(result.stderr)")
    #expect(result.stdout.isEmpty, "no epoch ran: \(result.stdout)")
    #expect(result.stderr.hasPrefix("ffc: error: cannot write '/dev/full': "), "\(result.stderr)")
  }

  /// A write that fails during training (the checkpoint's directory removed) stops it; the model
  /// is still saved, and the exit code is 1 with the failed file named.
  @Test func aFailedWriteDuringTrainingKeepsTheModel() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let directory = scratch.url.appendingPathComponent("checkpoints")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let checkpoint = directory.appendingPathComponent("run.ckpt").path
    let saved = scratch.url.appendingPathComponent("saved.ffn").path
    let run = try StartedRun(
      xor + ["--epochs", "100000", "--checkpoint", checkpoint, "--save", saved])
    run.waitForFirstLine()
    for _ in 0..<20 where (try? FileManager.default.removeItem(at: directory)) == nil {}
    let (status, _, stderr) = run.finish()
    #expect(status == 1, "\(stderr)")
    #expect(stderr.contains("cannot write '\(checkpoint)'"), "\(stderr)")
    #expect(FileManager.default.fileExists(atPath: saved))
  }

  /// SIGINT, SIGTERM and SIGHUP stop after the current step: the model is saved, the log and the
  /// checkpoint written; the exit code is 128 plus the signal's number.
  @Test(arguments: [(SIGINT, 130), (SIGTERM, 143), (SIGHUP, 129)] as [(Int32, Int32)])
  func signalsStopCleanly(_ signal: Int32, _ code: Int32) throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let (log, saved, checkpoint) = (
      scratch.url.appendingPathComponent("log.csv").path,
      scratch.url.appendingPathComponent("saved.ffn").path,
      scratch.url.appendingPathComponent("run.ckpt").path
    )
    let run = try StartedRun(
      xor + [
        "--epochs", "1000000", "--log", log, "--save", saved, "--checkpoint", checkpoint,
        "--checkpoint-every", "1000000",
      ])
    run.waitForFirstLine()
    kill(run.process.processIdentifier, signal)
    let (status, stdout, stderr) = run.finish()
    #expect(status == code, "\(stderr)")
    #expect(stdout.contains("interrupted after "), "\(stdout)")
    #expect(FileManager.default.fileExists(atPath: saved))
    #expect(FileManager.default.fileExists(atPath: checkpoint))
    let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
    #expect(lines.first == "epoch,train_loss,train_accuracy,val_loss,val_accuracy,seconds")
    #expect(lines.count >= 2)
  }

  /// Killed outright (SIGKILL, which no program can catch), a run leaves the log of the epochs it
  /// finished: each line is written as its epoch ends.
  @Test func aKilledRunLeavesItsLog() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let log = scratch.url.appendingPathComponent("log.csv").path
    let run = try StartedRun(xor + ["--epochs", "1000000", "--log", log])
    run.waitForFirstLine()
    kill(run.process.processIdentifier, SIGKILL)
    _ = run.finish()
    let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
    #expect(lines.count >= 2 && lines[1].hasPrefix("1,"), "\(lines.prefix(3))")
  }

  /// Through the binary: 10 epochs straight, and 5 with a checkpoint then `--resume` to 10, save
  /// the same program and log the same figures (the time aside).
  @Test func resumeContinuesTheRunBitForBit() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    func path(_ name: String) -> String { scratch.url.appendingPathComponent(name).path }
    let settings = [
      "--optimizer", "adam", "--lr", "0.01", "--batch", "3", "--seed", "7", "--quiet",
    ]
    let straight = try ffc(
      xor + settings + ["--epochs", "10", "--save", path("a.ffn"), "--log", path("a.csv")])
    #expect(straight.status == 0, "\(straight.stderr)")
    let first = try ffc(xor + settings + ["--epochs", "5", "--checkpoint", path("run.ckpt")])
    #expect(first.status == 0, "\(first.stderr)")
    let second = try ffc(
      xor + settings + [
        "--epochs", "10", "--resume", path("run.ckpt"), "--checkpoint", path("run.ckpt"),
        "--save", path("b.ffn"), "--log", path("b.csv"),
      ])
    #expect(second.status == 0, "\(second.stderr)")
    func figures(_ log: String) throws -> [String] {
      try String(contentsOfFile: path(log), encoding: .utf8).split(separator: "\n").map {
        $0.split(separator: ",", omittingEmptySubsequences: false).dropLast().joined(separator: ",")
      }
    }
    #expect(try figures("a.csv") == figures("b.csv"))
    #expect(try figures("b.csv").count == 11)
    func body(_ program: String) throws -> String {
      // The note line says how the file was made; the values follow it.
      String(try String(contentsOfFile: path(program), encoding: .utf8).drop { $0 != "\n" })
    }
    #expect(try body("a.ffn") == body("b.ffn"))
    let mismatch = try ffc(xor + ["--epochs", "10", "--resume", path("run.ckpt")])
    #expect(mismatch.status == 1)
    #expect(
      mismatch.stderr.hasPrefix(
        "ffc: error: cannot resume from '\(path("run.ckpt"))': it was written with '--optimizer adam', and this run has '--optimizer sgd'"
      ), "\(mismatch.stderr)")
    let truncated = try scratch.file(
      "cut.ckpt", try Data(contentsOf: URL(fileURLWithPath: path("run.ckpt"))).prefix(50))
    let cut = try ffc(xor + settings + ["--resume", truncated])
    #expect(cut.status == 1)
    #expect(
      cut.stderr.hasPrefix("ffc: error: cannot resume from '\(truncated)': it is truncated"),
      "\(cut.stderr)")
  }

  /// `--checkpoint-every` needs a checkpoint to write (a usage error), and a checkpoint that is
  /// not there is an unreadable file (exit 1); mid-epoch checkpoints resume like the others.
  @Test func checkpointOptionsAreChecked() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let every = try ffc(xor + ["--checkpoint-every", "3"])
    #expect(every.status == 2)
    #expect(
      every.stderr.hasPrefix("ffc: error: '--checkpoint-every' needs '--checkpoint <file>'\n"),
      "\(every.stderr)")
    let missing = scratch.url.appendingPathComponent("none.ckpt").path
    let absent = try ffc(xor + ["--resume", missing])
    #expect(absent.status == 1)
    #expect(absent.stderr.hasPrefix("ffc: error: cannot read '\(missing)': no such file"))
    let checkpoint = scratch.url.appendingPathComponent("run.ckpt").path
    let settings = ["--batch", "1", "--seed", "2", "--quiet"]
    let first = try ffc(
      xor + settings + ["--epochs", "2", "--checkpoint", checkpoint, "--checkpoint-every", "3"])
    #expect(first.status == 0, "\(first.stderr)")
    let resumed = try ffc(xor + settings + ["--epochs", "4", "--resume", checkpoint])
    let straight = try ffc(xor + settings + ["--epochs", "4"])
    #expect(resumed.status == 0 && straight.status == 0)
    #expect(
      resumed.stdout.split(separator: "\n").last == straight.stdout.split(separator: "\n").last)
  }

  /// An output naming a file the command reads, however spelled, is refused before anything
  /// runs (exit 2), and the file is untouched.
  @Test func outputsNeverOverwriteInputs() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let program = try scratch.file("net.ffn", Repository.read("samples/xor.ffn"))
    let data = try scratch.file("d.csv", Repository.read("samples/data/xor.csv"))
    let link = scratch.url.appendingPathComponent("link.csv").path
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: data)
    let other = scratch.url.appendingPathComponent("sub/../d.csv").path
    try FileManager.default.createDirectory(
      at: scratch.url.appendingPathComponent("sub"), withIntermediateDirectories: true)
    let train = ["train", program, "--data", data, "--epochs", "1"]
    let cases: [([String], String)] = [
      (["compile", program, "-o", program], "'-o \(program)' would write over the program"),
      (train + ["--save", data], "'--save \(data)' would write over the file '--data' reads"),
      (train + ["--save", link], "'--save \(link)' would write over the file '--data' reads"),
      (train + ["--log", other], "'--log \(other)' would write over the file '--data' reads"),
      (
        train + ["--checkpoint", program], "'--checkpoint \(program)' would write over the program"
      ),
      (
        train + ["--log", program + ".csv", "--save", program + ".csv"],
        "'--save \(program).csv' and '--log \(program).csv' name the same file"
      ),
    ]
    for (arguments, message) in cases {
      let result = try ffc(arguments)
      #expect(result.status == 2, "\(arguments)")
      #expect(result.stderr.hasPrefix("ffc: error: \(message)"), "\(result.stderr)")
    }
    #expect(
      try String(contentsOfFile: program, encoding: .utf8) == Repository.read("samples/xor.ffn"))
    #expect(
      try String(contentsOfFile: data, encoding: .utf8) == Repository.read("samples/data/xor.csv"))
  }

  /// Replacing a file keeps its permissions, and a link stays a link to the file written.
  @Test func replacingKeepsPermissionsAndLinks() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let target = try scratch.file("target.txt", "old\n")
    chmod(target, 0o640)
    let link = scratch.url.appendingPathComponent("link.txt").path
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "target.txt")
    try SafeFile.write("new\n", to: link, displayName: "link.txt")
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "target.txt")
    #expect(try String(contentsOfFile: target, encoding: .utf8) == "new\n")
    var status = stat()
    stat(target, &status)
    #expect(status.st_mode & 0o777 == 0o640)
    // No temporary file is left beside it.
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).sorted() == [
        "link.txt", "target.txt",
      ])
  }
}

/// A training run of the binary in the background, for signals.
struct StartedRun {
  let process = Process()
  let out = Pipe()
  let err = Pipe()
  var seen = Data()

  init(_ arguments: [String]) throws {
    process.executableURL = BinaryRunner.executable
    process.arguments = arguments
    process.currentDirectoryURL = Repository.root
    process.standardOutput = out
    process.standardError = err
    try process.run()
  }

  /// Waits for the first epoch's line.
  func waitForFirstLine() {
    var seen = Data()
    while !String(decoding: seen, as: UTF8.self).contains("\n") {
      let chunk = out.fileHandleForReading.availableData
      if chunk.isEmpty { break }
      seen.append(chunk)
    }
  }

  func finish() -> (status: Int32, stdout: String, stderr: String) {
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (
      process.terminationStatus, String(decoding: stdout, as: UTF8.self),
      String(decoding: stderr, as: UTF8.self)
    )
  }
}
