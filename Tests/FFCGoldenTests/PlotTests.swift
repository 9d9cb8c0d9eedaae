import FFCTestSupport
import Foundation
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// `ffc plot` and `ffc train --plot`: training curves as SVG, compared with goldens for fixed logs,
/// parsed as XML, and bad logs reported at their line.
@Suite struct PlotTests {
  static let folder = GoldenTests.directory.appendingPathComponent("plot")

  @Test(arguments: ["classifier", "regression"])
  func logPlotsAsRecorded(log: String) throws {
    let result = CLI.run(["plot", "Tests/FFCGoldenTests/Golden/plot/\(log).csv"])
    #expect(result.code == .success && result.stderr.isEmpty, "\(result.stderr)")
    let path = Self.folder.appendingPathComponent("\(log).svg")
    if let failure = Golden.check(result.stdout, at: path) { Issue.record("\(failure)") }
    #expect(try Self.parsesAsSVG(result.stdout))
    // Accuracy has its own panel only where the log has accuracy.
    #expect(result.stdout.contains(">accuracy (") == (log == "classifier"))
  }

  @Test func badLogsAreReportedAtTheirLine() {
    let header = "epoch,train_loss,train_accuracy,val_loss,val_accuracy,seconds\n"
    let cases: [(text: String, expected: String)] = [
      ("", "<stdin>: error: '<stdin>' is empty"),
      ("x1,x2,y\n1,2,3\n", "<stdin>:1:1: error: the header has no 'epoch' column"),
      (
        "epoch,train_loss,train_loss\n1,1,2\n",
        "<stdin>:1:18: error: the header names the column 'train_loss' twice"
      ),
      (header, "<stdin>:1:1: error: the training log has a header and no epochs"),
      (header + "1,0.5,,,,0.1\n2,0.4,,\n", "<stdin>:3:1: error: this line has 4 fields"),
      (header + "1,0.5,,,,0.1\n2,abc,,,,0.1\n", "<stdin>:3:3: error: 'abc' in column 'train_loss'"),
      (header + "1,0.5,,,,0.1\n1.5,0.4,,,,0.1\n", "<stdin>:3:1: error: '1.5' is not an epoch"),
      (header + "2,0.5,,,,0.1\n1,0.4,,,,0.1\n", "<stdin>:3:1: error: epoch 1 follows epoch 2"),
    ]
    for (text, expected) in cases {
      let result = CLI.run(["plot", "-", "--color", "never"], stdinText: text)
      #expect(result.code == .programError && result.stdout.isEmpty, "\(text)")
      #expect(result.stderr.hasPrefix(expected), "\(text): \(result.stderr)")
    }
    let missing = CLI.run(["plot", "no/such/log.csv"])
    #expect(missing.code == .programError && missing.stderr.contains("no such file"))
    let two = CLI.run(["plot", "a.csv", "b.csv"])
    #expect(two.code == .usage)
  }

  @Test func plotWritesItsFileSafelyAndNeverOverItsLog() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "ffc-plot-\(getpid())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let log = Repository.root.appendingPathComponent(
      "Tests/FFCGoldenTests/Golden/plot/regression.csv")
    let target = directory.appendingPathComponent("curves.svg")
    let written = CLI.run(["plot", log.path, "-o", target.path])
    #expect(written.code == .success && written.stdout.isEmpty)
    #expect(try Self.parsesAsSVG(String(contentsOf: target, encoding: .utf8)))
    let over = CLI.run(["plot", log.path, "-o", log.path])
    #expect(over.code == .usage && over.stderr.contains("would write over"))
  }

  @Test func trainDrawsItsCurvesAfterTraining() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "ffc-train-plot-\(getpid())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let plot = directory.appendingPathComponent("curves.svg").path
    let log = directory.appendingPathComponent("train.csv").path
    let result = CLI.run([
      "train", "samples/iris.ffn", "--data", "samples/data/iris.csv", "--split", "0.2",
      "--epochs", "5", "--quiet", "--log", log, "--plot", plot,
    ])
    #expect(result.code == .success, "\(result.stderr)")
    let drawn = try String(contentsOfFile: plot, encoding: .utf8)
    #expect(try Self.parsesAsSVG(drawn) && drawn.contains(">validation<"))
    // The same curves as 'ffc plot' draws from the log, but for the title naming the log.
    let replotted = CLI.run(["plot", log]).stdout
    #expect(
      replotted.replacingOccurrences(of: " (train.csv)", with: "") == drawn, "\(replotted)")
    // An unwritable plot is refused before the first step.
    let refused = CLI.run([
      "train", "samples/iris.ffn", "--data", "samples/data/iris.csv", "--epochs", "5",
      "--plot", directory.appendingPathComponent("no/dir/c.svg").path,
    ])
    #expect(refused.code == .programError && refused.stdout.isEmpty, "\(refused.stdout)")
    let clash = CLI.run([
      "train", "samples/iris.ffn", "--data", "samples/data/iris.csv", "--log", log, "--plot", log,
    ])
    #expect(clash.code == .usage && clash.stderr.contains("name the same file"))
  }

  /// The text parses as XML with an `svg` root in the SVG namespace.
  static func parsesAsSVG(_ text: String) throws -> Bool {
    final class Root: NSObject, XMLParserDelegate {
      var name: String?
      var namespace: String?
      func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
        qualifiedName: String?, attributes: [String: String] = [:]
      ) {
        if name == nil {
          name = elementName
          namespace = attributes["xmlns"]
        }
      }
    }
    let parser = XMLParser(data: Data(text.utf8))
    let root = Root()
    parser.delegate = root
    let parsed = parser.parse()
    #expect(parsed, "\(parser.parserError.map { "\($0)" } ?? "")")
    return parsed && root.name == "svg" && root.namespace == "http://www.w3.org/2000/svg"
  }
}
