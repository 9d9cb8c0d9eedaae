import FFCTestSupport
import Foundation
import Testing

/// `ffc export` and `ffc import` as a user runs them: files, exit codes, messages.
@Suite struct ONNXCLITests {
  func ffc(_ arguments: [String]) throws -> BinaryRunner.Result { try BinaryRunner.run(arguments) }

  @Test func exportWritesAModelAndNeedsItsFile() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let path = scratch.url.appendingPathComponent("xor.onnx").path
    let result = try ffc(["export", "samples/xor.ffn", "-o", path, "--train-step", "--lr", "0.5"])
    #expect(result.status == 0, "\(result.stderr)")
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    #expect(bytes.prefix(2) == [0x08, 0x08], "starts with ir_version 8")
    #expect(try ffc(["export", "samples/xor.ffn"]).status == 2)
    #expect(try ffc(["export", "samples/xor.ffn", "-o", path, "--lr", "0.5"]).status == 2)
  }

  /// The imported program runs in ffc with ONNX Runtime's outputs (committed by
  /// samples/onnx/import_check.py) to 1e-5 of their largest magnitude, its parameters as
  /// literals (all below the default threshold) or loaded from the safetensors file beside it.
  @Test(arguments: ["mlp_gemm", "mlp_matmul"], ["4096", "0"])
  func anImportedModelComputesWhatONNXRuntimeComputes(model: String, minimum: String) throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let program = scratch.url.appendingPathComponent(model + ".ffn").path
    let imported = try ffc([
      "import", "samples/onnx/fixtures/\(model).onnx", "-o", program, "--save-weights", minimum,
    ])
    #expect(imported.status == 0, "\(imported.stderr)")
    let weights = scratch.url.appendingPathComponent(model + ".safetensors").path
    let text = try String(contentsOfFile: program, encoding: .utf8)
    #expect(FileManager.default.fileExists(atPath: weights) == (minimum == "0"))
    #expect(text.contains("load(\"\(model).safetensors\", \"") == (minimum == "0"))
    let fixture =
      try JSONSerialization.jsonObject(
        with: Data(Repository.read("samples/onnx/fixtures/\(model).json").utf8)) as! [String: Any]
    let input = (fixture["input"] as! [[Double]]).flatMap { $0 }
    let run = try ffc([
      "run", program, "--format", "json", "--set",
      "input_=" + input.map { "\($0)" }.joined(separator: ","),
    ])
    #expect(run.status == 0, "\(run.stderr)")
    let report = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [String: Any]
    let outputs = report["outputs"] as! [[String: Any]]
    let expected = fixture["outputs"] as! [String: [[Double]]]
    #expect(outputs.count == expected.count)
    for output in outputs {
      let name = output["name"] as! String
      let want = try #require(expected[name] ?? expected[String(name.dropLast())]).flatMap { $0 }
      let got = (output["value"] as! [[Double]]).flatMap { $0 }
      let scale = want.map(abs).max() ?? 1
      for (a, b) in zip(got, want) { #expect(abs(a - b) <= 1e-5 * scale, "\(model) \(name)") }
    }
  }

  /// With a loss, the imported model has a symbolic gradient that `ffc check` verifies.
  @Test func anImportedModelWithALossPassesCheck() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let program = scratch.url.appendingPathComponent("mlp.ffn").path
    let imported = try ffc([
      "import", "samples/onnx/fixtures/mlp_gemm.onnx", "-o", program, "--loss", "cross_entropy",
      "--save-weights", "0",
    ])
    #expect(imported.status == 0, "\(imported.stderr)")
    let check = try ffc(["check", program, "--set", "input_=1,2,3,4,-1,0,1,2", "--set", "y=0,2"])
    #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    #expect(check.stdout.contains("every gradient agrees"))
  }

  /// The imported program's `load` calls name the digest the weights file records in its
  /// `__metadata__`, as `train --save` writes them: a program beside other weights is refused.
  @Test func importTiesTheProgramToItsWeightsByDigest() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let program = scratch.url.appendingPathComponent("m.ffn").path
    let imported = try ffc([
      "import", "samples/onnx/fixtures/mlp_gemm.onnx", "-o", program, "--save-weights", "0",
    ])
    #expect(imported.status == 0, "\(imported.stderr)")
    let text = try String(contentsOfFile: program, encoding: .utf8)
    let marker = try #require(text.range(of: "digest=\""))
    let digest = String(text[marker.upperBound...].prefix(16))
    #expect(digest.count == 16 && digest.allSatisfy(\.isHexDigit), "\(text)")
    let loads = text.split(separator: "\n").filter { $0.contains("load(") }
    #expect(!loads.isEmpty && loads.allSatisfy { $0.contains("digest=\"\(digest)\")") })
    let bytes = [UInt8](
      try Data(contentsOf: scratch.url.appendingPathComponent("m.safetensors")))
    let length = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
    let header = String(decoding: bytes[8..<(8 + length)], as: UTF8.self)
    #expect(header.contains("\"digest\":\"\(digest)\""), "\(header)")
    let run = try ffc(["run", program, "--set", "input_=1,2,3,4,-1,0,1,2"])
    #expect(run.status == 0, "\(run.stderr)")
    try text.replacingOccurrences(of: digest, with: "0123456789abcdef")
      .write(toFile: program, atomically: true, encoding: .utf8)
    let other = try ffc(["run", program, "--set", "input_=1,2,3,4,-1,0,1,2"])
    #expect(other.status == 1)
    #expect(other.stderr.contains("is not the weights file this program was saved with"))
  }

  @Test func aProgramWithNothingToExportIsAnErrorNamingIt() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let program = try scratch.file("p.ffn", "param a = 1\n")
    let result = try ffc([
      "export", program, "-o", scratch.url.appendingPathComponent("p.onnx").path,
    ])
    #expect(result.status == 1)
    #expect(result.stderr.hasPrefix("\(program): error: the program has no 'output'"))
  }

  @Test func aBadModelIsAnErrorNamingTheFile() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let bad = try scratch.file("bad.onnx", "not a model")
    let out = scratch.url.appendingPathComponent("out.ffn").path
    let result = try ffc(["import", bad, "-o", out])
    #expect(result.status == 1)
    #expect(result.stderr.hasPrefix("ffc: error: cannot read '\(bad)' as an ONNX model"))
    #expect(!FileManager.default.fileExists(atPath: out))
  }

  /// The weights file is an output too: it may not name the model being read.
  @Test func theWeightsFileMayNotWriteOverTheModel() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let model = scratch.url.appendingPathComponent("m.safetensors").path
    try Data(
      contentsOf: Repository.root.appendingPathComponent("samples/onnx/fixtures/mlp_gemm.onnx")
    )
    .write(to: URL(fileURLWithPath: model))
    let program = scratch.url.appendingPathComponent("m.ffn").path
    let result = try ffc(["import", model, "-o", program, "--save-weights", "0"])
    #expect(result.status == 2)
    #expect(result.stderr.contains("would write over the model"), "\(result.stderr)")
    #expect(!FileManager.default.fileExists(atPath: program))
  }

  /// A program that cannot be written leaves no weights file behind it.
  @Test func aProgramThatCannotBeWrittenWritesNoWeights() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let program = scratch.url.appendingPathComponent("m.ffn").path
    try FileManager.default.createDirectory(atPath: program, withIntermediateDirectories: false)
    let result = try ffc([
      "import", "samples/onnx/fixtures/mlp_gemm.onnx", "-o", program, "--save-weights", "0",
    ])
    #expect(result.status == 1)
    #expect(result.stderr.contains("it is a directory"), "\(result.stderr)")
    let weights = scratch.url.appendingPathComponent("m.safetensors").path
    #expect(!FileManager.default.fileExists(atPath: weights))
  }

  /// The model's values are f32: one f32 cannot hold is an error at its line, not an infinity.
  @Test func aValueTooLargeForF32IsAnErrorNotAnInfinity() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let model = scratch.url.appendingPathComponent("m.onnx").path
    let cases = [
      (
        "input X[N, 2]\nparam w[2] = [1e39, 1]\noutput y = X @ w\n",
        "p.ffn:2:7: error: the value 1e+39"
      ),
      ("input X[N, 2]\nparam w[2] = 1\noutput y = X @ w * 1e39\n", "p.ffn:3:"),
    ]
    for (text, expected) in cases {
      let program = try scratch.file("p.ffn", text)
      let result = try ffc(["export", program, "-o", model, "--color", "never"])
      #expect(result.status == 1)
      #expect(
        result.stderr.contains(expected) && result.stderr.contains("too large for f32"),
        "\(result.stderr)")
      #expect(!FileManager.default.fileExists(atPath: model))
    }
    let rate = try ffc(["export", "samples/xor.ffn", "-o", model, "--train-step", "--lr", "1e39"])
    #expect(rate.status == 2 && rate.stderr.contains("too large for f32"), "\(rate.stderr)")
  }
}
