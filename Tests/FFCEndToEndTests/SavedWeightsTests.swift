import FFCDriver
import FFCTestSupport
import Foundation
import Testing

/// `ffc train --save out.ffn`: parameters of at least `--save-weights` elements (4096 unless told)
/// go to out.safetensors beside the program, named in it by `load(...)`; small ones stay
/// literals. `run`, `train` and `check` read the pair.
@Suite(.serialized) struct SavedWeightsTests {
  func ffc(_ arguments: [String]) throws -> BinaryRunner.Result { try BinaryRunner.run(arguments) }

  @Test func largeParametersGoToTheWeightsFileAndReadBack() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let program = try scratch.file(
      "wide.ffn",
      """
      input X[N, 2]
      target y[N]
      h = dense(X, 2048, tanh)
      param v[2048, 3] = glorot
      param t[2, 2, 2] = normal(0, 0.1)
      f = sum(h @ v, axis=1) + sum(t)
      output f
      loss L = mse(f, y)

      """)
    let saved = scratch.url.appendingPathComponent("wide-trained.ffn").path
    let weights = scratch.url.appendingPathComponent("wide-trained.safetensors").path
    let train = try ffc([
      "train", program, "--data", "samples/data/xor.csv", "--epochs", "2", "--save", saved,
    ])
    #expect(train.status == 0, "\(train.stderr)")
    #expect(train.stdout.contains("saved 2 parameters to \(weights)"), "\(train.stdout)")
    let text = try String(contentsOfFile: saved, encoding: .utf8)
    #expect(text.contains("param v[2048, 3] = load(\"wide-trained.safetensors\")"), "\(text)")
    #expect(text.contains("W=load(\"wide-trained.safetensors\")"), "\(text)")
    #expect(text.contains("b=[") && text.contains("param t[2, 2, 2] = [[["), "\(text)")
    // The saved pair gives the loss training ended with, and trains and checks again.
    let run = try ffc(["run", saved, "--data", "samples/data/xor.csv"])
    #expect(run.status == 0, "\(run.stderr)")
    let again = try ffc(["train", saved, "--data", "samples/data/xor.csv", "--epochs", "1"])
    #expect(again.status == 0, "\(again.stderr)")
  }

  @Test func zeroPutsEveryParameterInTheFileAndTheRunMatches() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let literal = scratch.url.appendingPathComponent("literal.ffn").path
    let external = scratch.url.appendingPathComponent("external.ffn").path
    let base = ["train", "samples/xor.ffn", "--data", "samples/data/xor.csv", "--epochs", "3"]
    #expect(try ffc(base + ["--save", literal]).status == 0)
    #expect(try ffc(base + ["--save", external, "--save-weights", "0"]).status == 0)
    let text = try String(contentsOfFile: external, encoding: .utf8)
    #expect(text.contains("param b = load(\"external.safetensors\")"), "\(text)")
    let a = try ffc(["run", literal, "--data", "samples/data/xor.csv", "--format", "json"])
    let b = try ffc(["run", external, "--data", "samples/data/xor.csv", "--format", "json"])
    #expect(a.status == 0 && a.stdout == b.stdout, "\(a.stdout)\n\(b.stdout)\n\(b.stderr)")
    let check = try ffc(["check", external, "--data", "samples/data/xor.csv"])
    #expect(check.status == 0, "\(check.stderr)")
  }

  /// The weights file is an output like the others: checked before the first step.
  @Test func theWeightsFileIsCheckedBeforeTheFirstStep() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let blocked = scratch.url.appendingPathComponent("out.safetensors").path
    try FileManager.default.createDirectory(atPath: blocked, withIntermediateDirectories: true)
    let result = try ffc([
      "train", "samples/xor.ffn", "--data", "samples/data/xor.csv", "--epochs", "2", "--save",
      scratch.url.appendingPathComponent("out.ffn").path,
    ])
    #expect(result.status == 1)
    #expect(result.stdout.isEmpty)
    #expect(result.stderr.contains("it is a directory"), "\(result.stderr)")
  }
}
