import FFCDriver
import FFCTestSupport
import Foundation
import Testing

/// What `ffc train` writes, and when: outputs checked before the first step, the model saved
/// before anything else.
@Suite(.serialized) struct TrainFilesTests {
  func ffc(_ arguments: [String]) throws -> BinaryRunner.Result { try BinaryRunner.run(arguments) }
  let xor = ["train", "samples/xor.ffn", "--data", "samples/data/xor.csv"]

  /// A missing directory, or one that takes no files (/proc, even for root), for any output: exit
  /// 1 at once, naming the file, before a step is taken.
  @Test func outputsAreCheckedBeforeTheFirstStep() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let missing = scratch.url.appendingPathComponent("no/such/out").path
    for flag in ["--save", "--log"] {
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

  /// The model is saved before anything else: a log that cannot be written at the end (/dev/full)
  /// is an error, exit 1, and the saved program is kept.
  @Test func aFailedLogKeepsTheModel() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let saved = scratch.url.appendingPathComponent("saved.ffn").path
    let result = try ffc(xor + ["--epochs", "5", "--save", saved, "--log", "/dev/full"])
    #expect(result.status == 1, "\(result.stderr)")
    #expect(result.stderr.hasPrefix("ffc: error: cannot write '/dev/full': "), "\(result.stderr)")
    #expect(FileManager.default.fileExists(atPath: saved))
  }
}
