import FFCTestSupport
import Foundation
import Testing

/// The built `ffc` binary, run as a user runs it: exit codes, output streams, files.
@Suite struct CLITests {
  func ffc(_ arguments: [String]) throws -> BinaryRunner.Result {
    try BinaryRunner.run(arguments)
  }

  @Test func helpAndVersion() throws {
    let help = try ffc(["--help"])
    #expect(
      help.status == 0 && help.stdout.contains("compile") && help.stdout.contains("exit codes"))
    #expect(try ffc([]).stdout == help.stdout)
    #expect(try ffc(["help"]).stdout == help.stdout)
    let version = try ffc(["--version"])
    #expect(version.status == 0 && version.stdout.hasPrefix("ffc "))
    let compileHelp = try ffc(["help", "compile"])
    #expect(compileHelp.status == 0 && compileHelp.stdout.contains("--emit-grad"))
    #expect(try ffc(["compile", "--help"]).stdout == compileHelp.stdout)
  }

  @Test func compilesASampleWithItsGradient() throws {
    let result = try ffc(["compile", "samples/fig11_1.ffn", "--emit-grad"])
    #expect(result.status == 0)
    #expect(result.stdout.contains("grad W1 = %dL/dW1"))
    #expect(result.stderr.isEmpty)
  }

  @Test func rawShowsTheGradientBeforeSimplification() throws {
    let raw = try ffc(["compile", "samples/sigmoid_mlp.ffn", "--emit-grad", "--raw"])
    #expect(raw.status == 0)
    #expect(
      raw.stdout == (try ffc(["compile", "samples/sigmoid_mlp.ffn", "--emit-grad", "-O0"])).stdout)
    // The loss's ½ and the square's 2 are still there; simplified, they cancel.
    #expect(raw.stdout.contains("mul 1, 0.5"))
    let simplified = try ffc(["compile", "samples/sigmoid_mlp.ffn", "--emit-grad"])
    #expect(!simplified.stdout.contains("0.5, 0.5") && !simplified.stdout.contains("mul 1,"))
  }

  /// An error about the whole program, with no line to point at, names the file (as swiftc and
  /// rustc do); one about the command line names ffc.
  @Test func wholeProgramErrorsNameTheFile() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let empty = try scratch.file("empty.ffn", "# nothing yet\n")
    let noLoss = try ffc(["compile", empty, "--emit-grad"])
    #expect(noLoss.status == 1)
    #expect(
      noLoss.stderr
        == "\(empty): error: the program declares no loss, so there is nothing to differentiate; add 'loss L = ...'\n"
    )
    let fixed = try scratch.file("fixed.ffn", "input x = 1\nloss L = x * 2\n")
    let train = try ffc(["train", fixed, "--data", "samples/data/xor.csv"])
    #expect(train.status == 1)
    #expect(train.stderr == "\(fixed): error: the program declares no parameters to train\n")
    let bench = try ffc(["bench", fixed])
    #expect(bench.status == 1)
    #expect(
      bench.stderr
        == "\(fixed): error: the program has no loss or no parameters: there is no training step to time\n"
    )
  }

  @Test func usageErrorsExitTwo() throws {
    let unknownOption = try ffc(["compile", "samples/fig11_1.ffn", "--emit-grads"])
    #expect(unknownOption.status == 2)
    #expect(
      unknownOption.stderr.hasPrefix(
        "ffc: error: unknown option '--emit-grads' for 'compile'; did you mean '--emit-grad'?"))
    #expect(try ffc(["compyle"]).stderr.contains("did you mean 'compile'?"))
    #expect(try ffc(["compyle"]).status == 2)
    #expect(try ffc(["compile"]).status == 2)
    #expect(try ffc(["compile", "a.ffn", "b.ffn"]).status == 2)
    #expect(try ffc(["compile", "samples/fig11_1.ffn", "--emit", "svg"]).status == 2)
    #expect(try ffc(["compile", "samples/fig11_1.ffn", "-o"]).status == 2)
    #expect(try ffc(["help", "nothing"]).status == 2)
    // A bad --bind is reported before anything is printed, not after the statistics table.
    for size in ["-1", "1000000000000", "x"] {
      let bind = try ffc(["compile", "samples/iris.ffn", "--stats", "--bind", "N=\(size)"])
      #expect(bind.status == 2)
      #expect(bind.stdout.isEmpty)
      #expect(
        bind.stderr.hasPrefix(
          "ffc: error: '--bind N=\(size)' should be a symbol and a size from 0 to 1073741824"),
        "\(bind.stderr)")
    }
  }

  @Test func programErrorsExitOneWithALocation() throws {
    let result = try ffc(["compile", "Tests/FFCGoldenTests/Golden/errors/matmul_shapes.ffn"])
    #expect(result.status == 1)
    #expect(
      result.stderr.hasPrefix(
        "Tests/FFCGoldenTests/Golden/errors/matmul_shapes.ffn:4:13: error: cannot multiply [2, 4] by [3]"
      ))
    #expect(result.stdout.isEmpty)
  }

  @Test func unreadableFilesExitOne() throws {
    let missing = try ffc(["compile", "no/such/file.ffn"])
    #expect(
      missing.status == 1
        && missing.stderr == "ffc: error: cannot read 'no/such/file.ffn': no such file\n")
    #expect(try ffc(["compile", "samples"]).stderr.contains("it is a directory"))
    let binary = FileManager.default.temporaryDirectory.appendingPathComponent(
      "ffc-binary-\(getpid()).ffn")
    try Data([0xFF, 0xFE, 0x00, 0x80]).write(to: binary)
    defer { try? FileManager.default.removeItem(at: binary) }
    let notText = try ffc(["compile", binary.path])
    #expect(notText.status == 1 && notText.stderr.contains("not UTF-8"))
  }

  @Test func outputFileIsWrittenWholeAndReplacedSafely() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "ffc-out-\(getpid())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let target = directory.appendingPathComponent("graph.dot")
    try "old".write(to: target, atomically: true, encoding: .utf8)
    let result = try ffc([
      "compile", "samples/chain.ffn", "--emit-grad", "--emit", "dot", "-o", target.path,
    ])
    #expect(result.status == 0 && result.stdout.isEmpty)
    #expect(try String(contentsOf: target, encoding: .utf8).hasPrefix("digraph"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["graph.dot"])
    let failed = try ffc([
      "compile", "samples/chain.ffn", "-o", directory.appendingPathComponent("no/dir/x.txt").path,
    ])
    #expect(failed.status == 1 && failed.stderr.contains("cannot write"))
  }

  /// Graphviz must accept every sample's DOT. CI installs it; locally the test says when it is absent.
  @Test func graphvizRendersEverySample() throws {
    guard let dot = BinaryRunner.which("dot") else {
      #expect(
        ProcessInfo.processInfo.environment["CI"] == nil, "CI must have Graphviz's 'dot' installed")
      return
    }
    for sample in Repository.sampleFiles() {
      let graph = try ffc(["compile", "samples/\(sample)", "--emit-grad", "--emit", "dot"])
      #expect(graph.status == 0)
      let rendered = try BinaryRunner.run(["-Tsvg"], executable: dot, stdin: graph.stdout)
      #expect(rendered.status == 0, "\(sample): \(rendered.stderr)")
      #expect(rendered.stdout.contains("<svg"), "\(sample)")
    }
  }

  /// Same input, same bytes, in separate processes (nothing depends on hashing order).
  @Test func outputIsIdenticalAcrossProcesses() throws {
    for sample in ["iris.ffn", "mlp5.ffn", "activations.ffn"] {
      let first = try ffc(["compile", "samples/\(sample)", "--emit-grad"])
      let second = try ffc(["compile", "samples/\(sample)", "--emit-grad"])
      let dot1 = try ffc(["compile", "samples/\(sample)", "--emit-grad", "--emit", "dot"])
      let dot2 = try ffc(["compile", "samples/\(sample)", "--emit-grad", "--emit", "dot"])
      #expect(first.stdout == second.stdout && dot1.stdout == dot2.stdout, "\(sample)")
    }
  }

  @Test func warningsGoToStandardErrorWithoutFailing() throws {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent(
      "ffc-warn-\(getpid()).ffn")
    try "param a = 1\nparam b = 2\nloss L = a * 3\n".write(
      to: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: file) }
    let result = try ffc(["compile", file.path, "--emit-grad"])
    #expect(result.status == 0)
    #expect(result.stderr.contains("warning: 'b' does not affect the loss; its gradient is zero"))
  }
}

/// Every `ffc run` command that samples/README.md and the README show, run with the built binary
/// exactly as written: each succeeds, prints its numbers and writes nothing to stderr.
@Suite struct DocumentedRunCommandTests {
  static func commands() -> [String] {
    let text = Repository.read("samples/README.md") + Repository.read("README.md")
    var commands: [String] = []
    for piece in text.components(separatedBy: "`") where piece.hasPrefix("ffc run samples/") {
      if !commands.contains(piece) { commands.append(piece) }
    }
    for line in text.split(separator: "\n") {
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      guard trimmed.hasPrefix("ffc run samples/") || trimmed.hasPrefix("swift run ffc run samples/")
      else { continue }
      let command = String(trimmed.split(separator: "#")[0]).trimmingCharacters(in: .whitespaces)
        .replacingOccurrences(of: "swift run ffc", with: "ffc")
      if !commands.contains(command) { commands.append(command) }
    }
    return commands
  }

  @Test func everySampleHasADocumentedRunCommand() {
    let commands = Self.commands()
    for sample in Repository.sampleFiles() {
      #expect(
        commands.contains { $0.hasPrefix("ffc run samples/\(sample)") },
        "\(sample) has no 'ffc run' command in samples/README.md")
    }
  }

  @Test(arguments: commands())
  func documentedCommandRuns(command: String) throws {
    let arguments = command.split(separator: " ").dropFirst().map { argument in
      String(argument).replacingOccurrences(of: "'", with: "")
    }
    let result = try BinaryRunner.run(arguments)
    #expect(result.status == 0, "\(command): \(result.stderr)")
    #expect(result.stderr.isEmpty, "\(command): \(result.stderr)")
    #expect(result.stdout.contains("outputs") || result.stdout.contains("forward"), "\(command)")
  }
}

/// Swift seeds Set and Dictionary per process: the same program must still print the same bytes
/// in two processes (nothing numbered, printed or summed in a hashed collection's order).
@Suite struct DeterminismTests {
  @Test func twoProcessesPrintTheSameBytes() throws {
    for sample in ["samples/mlp5.ffn", "samples/activations.ffn", "samples/iris.ffn"] {
      for arguments in [
        ["compile", sample, "--emit-grad"], ["compile", sample, "--emit-grad", "--emit", "dot"],
        ["check", sample, "--max-elements", "5"],
      ] {
        let first = try BinaryRunner.run(arguments)
        let second = try BinaryRunner.run(arguments)
        #expect(first.status == 0 && first.stdout == second.stdout, "\(arguments)")
      }
    }
  }
}

/// Writing output safely must not replace what is not a regular file: `-o /dev/null` once
/// renamed a temporary file over the device (as root, that works, and /dev/null became a file).
@Suite struct SafeWriteTests {
  @Test func writingToADeviceKeepsTheDevice() throws {
    let result = CLI.run(["compile", "samples/fig11_1.ffn", "--emit-grad", "-o", "/dev/null"])
    #expect(result.code == .success, "\(result.stderr)")
    let attributes = try FileManager.default.attributesOfItem(atPath: "/dev/null")
    #expect(attributes[.type] as? FileAttributeType == .typeCharacterSpecial)
  }

  @Test func concurrentWritesToOneFileDoNotCollide() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let target = scratch.url.appendingPathComponent("graph.txt").path
    DispatchQueue.concurrentPerform(iterations: 8) { _ in
      _ = CLI.run(["compile", "samples/fig11_1.ffn", "-o", target])
    }
    let text = try String(contentsOfFile: target, encoding: .utf8)
    #expect(text.hasPrefix("graph fig11_1 {"))
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).filter {
      $0.hasSuffix(".tmp")
    }
    #expect(leftovers.isEmpty)
  }
}
