import FFCDriver
import FFCTestSupport
import Foundation
import Testing

/// `--data X=x.npy --data y=y.npy` and `--data d.npz` (the fixtures numpy wrote) feed a program
/// as a CSV file of the same values does; arrays that do not fit are errors naming them.
@Suite struct NumPyDataTests {
  func ffc(_ arguments: [String]) throws -> BinaryRunner.Result { try BinaryRunner.run(arguments) }
  static let fixtures = "Tests/Fixtures/formats/"

  func program(_ scratch: RunCLITests.Scratch) throws -> String {
    try scratch.file(
      "p.ffn",
      """
      input X[N, 3]
      label y[N]
      param W[3, 3] = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
      output p = softmax(X @ W)
      loss L = cross_entropy(X @ W, y)

      """)
  }

  @Test func arraysFeedTheProgramAsACSVFileDoes() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let program = try program(scratch)
    let csv = try scratch.file("xy.csv", "X1,X2,X3,y\n1,2,3,0\n4,5,6.5,2\n")
    let expected = try ffc(["run", program, "--data", csv, "--format", "json"])
    #expect(expected.status == 0, "\(expected.stderr)")
    for data in [
      ["--data", Self.fixtures + "xy.npz"],
      ["--data", Self.fixtures + "xy_deflate.npz"],
      ["--data", "X=\(Self.fixtures)x_f32.npy", "--data", "y=\(Self.fixtures)y_i64.npy"],
      ["--data", "X=\(Self.fixtures)x_f64_big.npy", "--data", "y=\(Self.fixtures)y_i64.npy"],
      ["--data", "X=\(Self.fixtures)x_fortran.npy", "--data", "y=\(Self.fixtures)y_i64.npy"],
    ] {
      let result = try ffc(["run", program, "--format", "json"] + data)
      #expect(result.status == 0, "\(data): \(result.stderr)")
      #expect(result.stdout == expected.stdout, "\(data)")
    }
    let train = try ffc(["train", program, "--data", Self.fixtures + "xy.npz", "--epochs", "2"])
    #expect(train.status == 0, "\(train.stderr)")
  }

  /// `train` holds its rows in the plan's precision wherever they come from (the CSV table, an f32
  /// or f64 `.npy` kept mapped, a Fortran-order array, an `.npz` archive): the same numbers train
  /// to the same saved program, bit for bit, in f32 and f64, with and without `--split`.
  @Test(arguments: ["f32", "f64"])
  func trainingOnArraysSavesWhatTrainingOnTheCSVSaves(precision: String) throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let program = try program(scratch)
    let csv = try scratch.file("xy.csv", "X1,X2,X3,y\n1,2,3,0\n4,5,6.5,2\n")
    for extra in [["--batch", "1"], ["--split", "0.5"]] {
      let common = ["train", program, "--epochs", "3", "--precision", precision, "--quiet"] + extra
      let expectedPath = scratch.url.appendingPathComponent("csv.ffn").path
      let expected = try ffc(common + ["--data", csv, "--save", expectedPath])
      #expect(expected.status == 0, "\(expected.stderr)")
      for (index, data) in [
        ["--data", Self.fixtures + "xy.npz"],
        ["--data", "X=\(Self.fixtures)x_f32.npy", "--data", "y=\(Self.fixtures)y_i64.npy"],
        ["--data", "X=\(Self.fixtures)x_f64_big.npy", "--data", "y=\(Self.fixtures)y_i64.npy"],
        ["--data", "X=\(Self.fixtures)x_fortran.npy", "--data", "y=\(Self.fixtures)y_i64.npy"],
      ].enumerated() {
        let path = scratch.url.appendingPathComponent("a\(index).ffn").path
        let result = try ffc(common + data + ["--save", path])
        #expect(result.status == 0, "\(data): \(result.stderr)")
        #expect(
          try String(contentsOfFile: path, encoding: .utf8)
            == String(contentsOfFile: expectedPath, encoding: .utf8), "\(data) \(extra)")
      }
    }
  }

  /// A batch run converts a `.npy` file straight into the plan's buffers (no f64 copy of the
  /// array); the values are the same bits as through an `.npz` member read whole into f64, in
  /// f32 and f64, with the batch axis first or last, and with a `--set` beside the array.
  @Test(arguments: ["f32", "f64"])
  func aMappedArrayRunsAsTheSameValuesReadWhole(precision: String) throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let rows = try scratch.file(
      "rows.ffn",
      """
      input big[N, 100]
      param W[100, 3] = 0.01
      param c = 0.5
      output o = tanh(big @ W) * c
      loss L = sum(exp(big) * c)

      """)
    let columns = try scratch.file(
      "columns.ffn",
      """
      input big[30, N]
      param w[1, 30] = 0.25
      output o = tanh(w @ big)
      loss L = sum(o * o)

      """)
    for program in [rows, columns] {
      let common = ["run", program, "--format", "json", "--precision", precision, "--grads"]
      let whole = try ffc(common + ["--data", Self.fixtures + "big_stored_deflate.npz"])
      #expect(whole.status == 0, "\(whole.stderr)")
      let mapped = try ffc(common + ["--data", "big=\(Self.fixtures)big_deflate_expected.npy"])
      #expect(mapped.status == 0, "\(mapped.stderr)")
      #expect(mapped.stdout == whole.stdout, "\(program)")
    }
    let set = ["run", rows, "--format", "json", "--precision", precision, "--set", "c=2"]
    let whole = try ffc(set + ["--data", Self.fixtures + "big_stored_deflate.npz"])
    let mapped = try ffc(set + ["--data", "big=\(Self.fixtures)big_deflate_expected.npy"])
    #expect(whole.status == 0 && mapped.stdout == whole.stdout, "\(mapped.stderr)")
  }

  /// Labels kept in their `.npy` file are still checked, element by element, before the run.
  @Test func aMappedLabelOutOfRangeIsAnErrorNamingTheElement() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let program = try scratch.file(
      "p.ffn", "input X[N, 3]\nlabel y[N]\nparam W[3, 2] = 0.5\nloss L = cross_entropy(X @ W, y)\n")
    let result = try ffc([
      "run", program, "--data", "X=\(Self.fixtures)x_f32.npy", "--data",
      "y=\(Self.fixtures)y_i64.npy",
    ])
    #expect(result.status == 1)
    #expect(
      result.stderr.contains(
        "p.ffn:2:7: error: label 2 is out of range for element 1 of the array 'y' in --data"),
      "\(result.stderr)")
  }

  @Test(arguments: [
    (["--data", fixtures + "xy_deflate_bad_crc.npz"], "CRC-32"),
    (
      ["--data", "X=\(fixtures)t_rank3.npy", "--data", "y=\(fixtures)y_i64.npy"],
      "has shape [2, 3, 4]"
    ),
    (["--data", "X=\(fixtures)x_f32.npy"], "no array gives 'y'"),
    (["--data", "Z=\(fixtures)x_f32.npy", "--data", "y=\(fixtures)y_i64.npy"], "names no input"),
    (["--data", "X=\(fixtures)x_f32.npy", "--data", "y=\(fixtures)t_rank3.npy"], "'y'"),
    (["--data", "X=\(fixtures)none.npy"], "cannot read"),
    (["--data", fixtures + "xy.npz", "--data", "X=\(fixtures)x_f32.npy"], "twice"),
  ])
  func arraysThatDoNotFitAreErrors(data: [String], words: String) throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let result = try ffc(["run", try program(scratch)] + data)
    #expect(result.status == 1, "\(result.stdout)")
    #expect(result.stderr.contains(words), "\(result.stderr)")
  }

  /// A deflated member is read in one pass and its CRC-32 checked at the end of the stream: with
  /// the CRC of `X` (filled into the plan's or training's buffers) or of the label `y` (read by the
  /// label check) wrong, every command that reads the data stops with the error naming the file
  /// and member, and prints no value: batch and per-example programs, f32 and f64.
  @Test func aDeflatedMemberWhoseCRCDoesNotMatchIsAnErrorBeforeAnyValue() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let batch = try program(scratch)
    let perExample = try scratch.file(
      "e.ffn",
      """
      input X[3]
      label y[]
      param W[3, 3] = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
      output p = softmax(X @ W)
      loss L = cross_entropy(X @ W, y)

      """)
    let good = try Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "xy_deflate.npz"))
    var archives: [(member: String, path: String)] = []
    for (index, member) in ["X", "y"].enumerated() {
      // The member's CRC-32 in its local header (offset 14) and its central one (offset 16).
      var bytes = [UInt8](good)
      for (signature, offset) in [([0x50, 0x4B, 3, 4], 14), ([0x50, 0x4B, 1, 2], 16)]
        as [([UInt8], Int)]
      {
        let at = (0..<bytes.count - 4).filter { Array(bytes[$0..<$0 + 4]) == signature }[index]
        bytes[at + offset] ^= 0xFF
      }
      archives.append((member, try scratch.file("bad_\(member).npz", Data(bytes))))
    }
    for (member, path) in archives {
      for program in [batch, perExample] {
        for command in [
          ["run", program], ["run", program, "--precision", "f64"], ["check", program],
          ["train", program, "--epochs", "1"],
          ["train", program, "--epochs", "1", "--split", "0.5"],
        ] {
          let result = try ffc(command + ["--data", path])
          let what = "\(command) \(member) \(program == batch ? "batch" : "per example")"
          #expect(result.status == 1, "\(what): \(result.stdout)")
          #expect(result.stdout.isEmpty, "\(what): \(result.stdout)")
          #expect(
            result.stderr.contains("member '\(member).npy': its CRC-32 does not match its data"),
            "\(what): \(result.stderr)")
        }
      }
    }
  }
}
