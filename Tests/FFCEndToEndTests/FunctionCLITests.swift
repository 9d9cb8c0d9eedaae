import FFCTensor
import FFCTestSupport
import Foundation
import Testing

/// Functions (`def`, `repeat`): samples/deep40.ffn gives the same numbers, bit for bit, as the 40
/// hand-written layers it stands for; it trains; a trained function's parameters are refused by
/// `--save` before training, with the reason.
@Suite struct FunctionCLITests {
  /// The 40 layers of samples/deep40.ffn, written out by hand.
  static func unrolled() -> String {
    var lines = [
      "input X[N, 4] = [[1, 0.5, -0.5, 0], [0, 1, 0.25, -1], [-1, 0.5, 1, 0.5]]",
      "target Y[N, 4] = [[0.5, 0, 0, 0.5], [0, 0.5, 0.5, 0], [0.25, 0.25, 0, 0]]",
      "h0 = X",
    ]
    for i in 1...40 {
      lines.append("z\(i) = dense(h\(i - 1), 4, tanh)")
      lines.append("h\(i) = h\(i - 1) + 0.1 * z\(i)")
    }
    lines += ["h = h40", "output h", "loss L = mse(h, Y)"]
    return lines.joined(separator: "\n") + "\n"
  }

  /// The same starting values for layer i under both programs' names.
  static func settings(_ name: (Int, String) -> String) -> [String] {
    (1...40).flatMap { i -> [String] in
      let w = (0..<16).map { j in "\(Double((i * 7 + j * 3) % 11 - 5) / 10)" }
      let b = (0..<4).map { j in "\(Double((i + j) % 5 - 2) / 20)" }
      return [
        "--set", "\(name(i, "W"))=\(w.joined(separator: ","))",
        "--set", "\(name(i, "b"))=\(b.joined(separator: ","))",
      ]
    }
  }

  @Test func theStackEqualsItsHandWrittenLayersBitForBit() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let path = try scratch.file("unrolled.ffn", Self.unrolled())
    let stacked = try RunOutput.run(
      ["samples/deep40.ffn", "--grads"] + Self.settings { "h.\($0).z.\($1)" })
    let written = try RunOutput.run([path, "--grads"] + Self.settings { "z\($0).\($1)" })
    #expect(stacked["L"] != nil && stacked["L"]?.scalars == written["L"]?.scalars)
    #expect(stacked["h"] != nil && stacked["h"]?.scalars == written["h"]?.scalars)
    for i in 1...40 {
      for p in ["W", "b"] {
        let a = stacked["dL/dh.\(i).z.\(p)"]
        #expect(a != nil && a?.scalars == written["dL/dz\(i).\(p)"]?.scalars, "layer \(i) \(p)")
      }
    }
  }

  @Test func theStackTrainsAndItsSaveIsRefusedBeforeTraining() throws {
    let trained = try BinaryRunner.run([
      "train", "samples/deep40.ffn", "--data", "samples/data/deep40.csv", "--epochs", "5",
      "--quiet",
    ])
    #expect(trained.status == 0, "\(trained.stderr)")
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let saved = try BinaryRunner.run([
      "train", "samples/deep40.ffn", "--data", "samples/data/deep40.csv", "--epochs", "5",
      "--save", scratch.url.appendingPathComponent("out.ffn").path,
    ])
    #expect(saved.status == 1)
    #expect(saved.stderr.contains("cannot save 'h.1.z.W': it is made by a function's call"))
    #expect(!saved.stdout.contains("epoch"), "refused before training: \(saved.stdout)")
  }

  @Test func weightsPassedInAreSharedAndTheirGradientsSum() throws {
    let run = try RunOutput.run(["samples/shared_block.ffn", "--grads"])
    #expect(run["dL/dW"] != nil)
    #expect(run["dL/db1.c"] != nil && run["dL/db2.c"] != nil)
  }
}
