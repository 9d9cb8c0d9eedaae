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
    #expect(
      text.contains("param v[2048, 3] = load(\"wide-trained.safetensors\", digest=\""), "\(text)")
    #expect(text.contains("W=load(\"wide-trained.safetensors\", digest=\""), "\(text)")
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
    #expect(text.contains("param b = load(\"external.safetensors\", digest=\""), "\(text)")
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

  /// The saved pair names one digest of the weights, in the program's `load` calls and in the
  /// file's `__metadata__`. Loaded again, trained by a step too small to move a value and saved,
  /// the weights come back byte for byte (the f32 buffers filled from the mapped file, written
  /// from them).
  @Test func theSavedPairSharesADigestAndRoundTripsBitForBit() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let first = scratch.url.appendingPathComponent("first.ffn").path
    let second = scratch.url.appendingPathComponent("second.ffn").path
    let data = ["--data", "samples/data/xor.csv"]
    let save = ["--epochs", "2", "--save-weights", "0", "--save"]
    #expect(try ffc(["train", "samples/xor.ffn"] + data + save + [first]).status == 0)
    let text = try String(contentsOfFile: first, encoding: .utf8)
    let digest = try #require(
      text.firstRange(of: #/digest="([0-9a-f]{16})"/#).map {
        String(text[$0].dropFirst(8).dropLast())
      })
    let weights = try Data(contentsOf: scratch.url.appendingPathComponent("first.safetensors"))
    #expect(String(decoding: weights, as: UTF8.self).contains("\"digest\":\"\(digest)\""))
    let again = try ffc(
      ["train", first] + data + [
        "--lr", "1e-300", "--epochs", "1", "--save-weights", "0", "--save", second,
      ])
    #expect(again.status == 0, "\(again.stderr)")
    let rewritten = try Data(contentsOf: scratch.url.appendingPathComponent("second.safetensors"))
    func payload(_ d: Data) -> Data {
      let length = d.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
      return d.dropFirst(8 + length)
    }
    #expect(payload(rewritten) == payload(weights))
    #expect(try String(contentsOfFile: second, encoding: .utf8).contains("digest=\"\(digest)\""))
  }

  /// A program beside weights from another save (or a save that stopped after the weights) is
  /// an error at the `load` call, naming both digests; every command that loads refuses it.
  @Test func aMismatchedPairIsAnError() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let a = scratch.url.appendingPathComponent("a.ffn").path
    let b = scratch.url.appendingPathComponent("b.ffn").path
    let base = [
      "train", "samples/xor.ffn", "--data", "samples/data/xor.csv", "--save-weights", "0",
    ]
    #expect(try ffc(base + ["--epochs", "2", "--save", a]).status == 0)
    #expect(try ffc(base + ["--epochs", "3", "--save", b]).status == 0)
    let aWeights = scratch.url.appendingPathComponent("a.safetensors")
    try FileManager.default.removeItem(at: aWeights)
    try FileManager.default.copyItem(
      at: scratch.url.appendingPathComponent("b.safetensors"), to: aWeights)
    for command in [["run", a], ["compile", a], ["train", a, "--epochs", "1"], ["check", a]] {
      let result = try ffc(
        command + (command[0] == "compile" ? [] : ["--data", "samples/data/xor.csv"]))
      #expect(result.status == 1, "\(command): \(result.stderr)")
      #expect(
        result.stderr.contains(
          "'a.safetensors' is not the weights file this program was saved with"),
        "\(result.stderr)")
      #expect(result.stderr.contains("a.ffn:"), "\(result.stderr)")
    }
  }
}
