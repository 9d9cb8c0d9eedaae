import FFCTestSupport
import Foundation
import Testing

/// `ffc check` keeps its data where it was read, as `ffc run` does (a CSV table's block is the
/// gradients' plan's buffer; a `.npy` array stays mapped and fills the plans' buffers): the report
/// is the same text as for the same numbers given by `--set`, from a CSV file, an `.npz` archive
/// and f32, f64 and Fortran-order `.npy` files, with a `stop_gradient` (a second plan) and a `jvp`
/// (the derivatives' plan) that also read the data.
@Suite struct CheckDataTests {
  func ffc(_ arguments: [String]) throws -> BinaryRunner.Result { try BinaryRunner.run(arguments) }

  @Test func checkReportsTheSameForEveryWayOfGivingTheData() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let program = try scratch.file(
      "p.ffn",
      """
      input X[N, 3]
      label y[N]
      param W[3, 3] = [[1, 0.5, 0], [0, 1, 0], [0.25, 0, 1]]
      input V[3, 3] = [[1, 0, 0.5], [0, -1, 0.25], [0.5, 0.5, 0]]
      output d = jvp(sum(X @ W), W, V)
      loss L = cross_entropy(X @ W + stop_gradient(X @ W) * 0.1, y)

      """)
    let fixtures = NumPyDataTests.fixtures
    let expected = try ffc(["check", program, "--set", "X=1,2,3,4,5,6.5", "--set", "y=0,2"])
    #expect(expected.status == 0, "\(expected.stderr)")
    #expect(expected.stdout.contains("every derivative value agrees"), "\(expected.stdout)")
    let csv = try scratch.file("xy.csv", "X1,X2,X3,y\n1,2,3,0\n4,5,6.5,2\n")
    // The columns in another order: the table is not one block per declaration.
    let mixed = try scratch.file("yx.csv", "y,X3,X1,X2\n0,3,1,2\n2,6.5,4,5\n")
    for data in [
      ["--data", csv],
      ["--data", mixed],
      ["--data", fixtures + "xy.npz"],
      ["--data", "X=\(fixtures)x_f32.npy", "--data", "y=\(fixtures)y_i64.npy"],
      ["--data", "X=\(fixtures)x_f64_big.npy", "--data", "y=\(fixtures)y_i64.npy"],
      ["--data", "X=\(fixtures)x_fortran.npy", "--data", "y=\(fixtures)y_i64.npy"],
    ] {
      let result = try ffc(["check", program] + data)
      #expect(result.status == 0, "\(data): \(result.stderr)")
      #expect(result.stdout == expected.stdout, "\(data)")
    }
  }
}
