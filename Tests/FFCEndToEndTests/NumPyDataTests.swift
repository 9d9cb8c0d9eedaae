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
}
