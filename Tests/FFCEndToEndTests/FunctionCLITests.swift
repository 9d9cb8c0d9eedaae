import FFCTensor
import FFCTestSupport
import Foundation
import Testing

/// Functions (`def`, `repeat`): samples/deep40.ffn gives the same numbers, bit for bit, as the 40
/// hand-written layers it stands for; it trains, and its saved program (each call's parameters on
/// override lines) runs as the hand-written layers' saved program does.
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

  /// `train --save` of the stack writes each call's parameters as override lines
  /// (`param h.7.z.W[4, 4] = load(...)`, `param h.7.z.b[4] = [...]`), and the saved program runs
  /// bit for bit like the hand-written layers trained and saved from the same start.
  @Test func theSavedStackRunsAsItsHandWrittenLayersSaved() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let flat = try scratch.file("unrolled.ffn", Self.unrolled())
    let train = { (program: String, saved: String, settings: [String]) throws -> String in
      let path = scratch.url.appendingPathComponent(saved).path
      let result = try BinaryRunner.run(
        [
          "train", program, "--data", "samples/data/deep40.csv", "--epochs", "3", "--precision",
          "f64", "--save", path, "--save-weights", "16", "--quiet",
        ] + settings)
      #expect(result.status == 0, "\(result.stderr)")
      return path
    }
    let stack = try train("samples/deep40.ffn", "stack.ffn", Self.settings { "h.\($0).z.\($1)" })
    let hand = try train(flat, "hand.ffn", Self.settings { "z\($0).\($1)" })
    let text = try String(contentsOfFile: stack, encoding: .utf8)
    #expect(text.contains("\nparam h.7.z.W[4, 4] = load(\"stack.safetensors\")\n"), "\(text)")
    #expect(text.contains("\nparam h.40.z.b[4] = ["), "\(text)")
    let a = try RunOutput.run([stack, "--grads"])
    let b = try RunOutput.run([hand, "--grads"])
    #expect(a["L"] != nil && a["L"]?.scalars == b["L"]?.scalars)
    #expect(a["h"] != nil && a["h"]?.scalars == b["h"]?.scalars)
    for i in 1...40 {
      for p in ["W", "b"] {
        let g = a["dL/dh.\(i).z.\(p)"]
        #expect(g != nil && g?.scalars == b["dL/dz\(i).\(p)"]?.scalars, "layer \(i) \(p)")
      }
    }
    // Saved again, the override lines are replaced, not added to.
    let again = try train(stack, "again.ffn", [])
    let lines = try String(contentsOfFile: again, encoding: .utf8).split(separator: "\n")
    #expect(lines.filter { $0.hasPrefix("param h.7.z.W") }.count == 1)
    #expect(lines.filter { $0.hasPrefix("param ") }.count == 80)
  }

  @Test func weightsPassedInAreSharedAndTheirGradientsSum() throws {
    let run = try RunOutput.run(["samples/shared_block.ffn", "--grads"])
    #expect(run["dL/dW"] != nil)
    #expect(run["dL/db1.c"] != nil && run["dL/db2.c"] != nil)
  }
}
