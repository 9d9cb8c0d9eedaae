import FFCTestSupport
import Foundation
import Testing

/// The printed forms of every sample, compared with files under Golden/. A new sample gets its
/// goldens automatically: run once with FFC_UPDATE_GOLDENS=1 and review the new files.
@Suite struct GoldenTests {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Golden")

  /// Golden file, compile arguments, and whether the golden is of standard error.
  static let forms: [(file: String, arguments: [String], isStandardError: Bool)] = [
    ("forward.txt", [], false),
    ("grad.txt", ["--emit-grad"], false),
    ("grad.dot", ["--emit-grad", "--emit", "dot"], false),
    ("raw-grad.txt", ["--emit-grad", "-O0"], false),
    ("fused.txt", ["--emit-grad", "--fuse"], false),
    ("stats.txt", ["--emit-grad", "--stats=counts", "-o", "/dev/null"], true),
  ]

  @Test(arguments: Repository.sampleFiles())
  func samplePrintsAsRecorded(sample: String) {
    let name = String(sample.dropLast(4))
    for form in Self.forms {
      let result = CLI.run(["compile", "samples/\(sample)"] + form.arguments)
      #expect(result.code == .success, "\(sample) \(form.arguments): \(result.stderr)")
      let path = Self.directory.appendingPathComponent(name).appendingPathComponent(form.file)
      let text = form.isStandardError ? result.stderr : result.stdout
      if let failure = Golden.check(text, at: path) { Issue.record("\(failure)") }
    }
  }

  /// What `ffc run` prints for every sample (f64): the full trace on the program's own values,
  /// then the gradients over its data file when that file is small enough to read in a golden.
  @Test(arguments: Repository.sampleFiles())
  func sampleRunsAsRecorded(sample: String) {
    let name = String(sample.dropLast(4))
    var arguments = ["run", "samples/\(sample)", "--precision", "f64"]
    let data = "samples/data/\(name).csv"
    let dataRows = Repository.read(data).split(separator: "\n").count - 1
    if dataRows > 0 && dataRows <= 10 {
      arguments += ["--data", data, "--grads"]
    } else if Programs.hasDefaultsForEveryInput(Repository.read("samples/" + sample)) {
      arguments += ["--trace"]
    } else {
      return
    }
    let result = CLI.run(arguments)
    #expect(result.code == .success, "\(arguments): \(result.stderr)")
    let path = Self.directory.appendingPathComponent(name).appendingPathComponent("run.txt")
    if let failure = Golden.check(
      "$ ffc " + arguments.joined(separator: " ") + "\n" + result.stdout, at: path)
    {
      Issue.record("\(failure)")
    }
  }

  static func errorCases() -> [String] {
    let folder = directory.appendingPathComponent("errors")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    return names.filter { $0.hasSuffix(".ffn") }.sorted()
  }

  /// Each Golden/errors/NAME.ffn prints exactly NAME.stderr (with --emit-grad) and exits 1.
  @Test(arguments: errorCases())
  func brokenProgramReportsAsRecorded(file: String) {
    let path = "Tests/FFCGoldenTests/Golden/errors/\(file)"
    let result = CLI.run(["compile", path, "--emit-grad", "--color", "never"])
    #expect(result.code == .programError, "\(file) exited \(result.code)")
    let golden = Self.directory.appendingPathComponent("errors").appendingPathComponent(
      String(file.dropLast(4)) + ".stderr")
    if let failure = Golden.check(result.stderr, at: golden) { Issue.record("\(failure)") }
  }

  /// Every graph line the README quotes (`%dL/dW1: [3, 4] = matmul %X.T, %dL/dY1`, in a table or a
  /// code block) is one that some sample's gradient golden holds, so the README cannot drift
  /// from what ffc prints.
  @Test func readmeQuotesPrintedGraphLines() throws {
    let readme = try String(
      contentsOf: Repository.root.appendingPathComponent("README.md"), encoding: .utf8)
    let goldens = try Repository.sampleFiles().map { sample in
      try String(
        contentsOf: Self.directory.appendingPathComponent(String(sample.dropLast(4)))
          .appendingPathComponent("grad.txt"),
        encoding: .utf8)
    }.joined(separator: "\n")
    let printed = Set(goldens.split(separator: "\n").map { Self.graphLine($0) })
    var quoted: [String] = []
    for line in readme.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.hasPrefix("  %") { quoted.append(Self.graphLine(line)) }
      guard line.hasPrefix("|") else { continue }
      for (index, piece) in line.split(separator: "`", omittingEmptySubsequences: false)
        .enumerated()
      where index % 2 == 1 && piece.hasPrefix("%") && piece.contains(": [") {
        quoted.append(Self.graphLine(piece))
      }
    }
    #expect(quoted.count >= 20, "\(quoted.count) quoted lines found")
    for line in quoted {
      let isPrinted = printed.contains(line)
      #expect(isPrinted, "README quotes '\(line)', which no sample prints")
    }
  }

  /// A printed line without its trailing `# via ...` comment and padding.
  static func graphLine(_ line: Substring) -> String {
    let code =
      line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? line
    return code.trimmingCharacters(in: .whitespaces)
  }

  @Test func thereAreErrorCases() {
    #expect(Self.errorCases().count >= 5)
  }
}
