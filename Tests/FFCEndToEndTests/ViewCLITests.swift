import FFCTestSupport
import Foundation
import Testing

/// `ffc view` through the built binary: one self-contained page whose data block holds the run's
/// values, escaped so no program text can break the page; the same bytes in every process;
/// shapes only when inputs have no values; usage and file errors with their exit codes.
@Suite struct ViewCLITests {
  /// A fresh directory for the pages and programs a test writes.
  struct Scratch {
    let url: URL

    init() throws {
      url = FileManager.default.temporaryDirectory.appendingPathComponent(
        "ffc-view-\(getpid())-\(UUID().uuidString)")
      try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func file(_ name: String, _ text: String) throws -> String {
      try Data(text.utf8).write(to: url.appendingPathComponent(name))
      return path(name)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
  }

  static func page(_ arguments: [String], in scratch: Scratch, name: String = "page.html") throws
    -> String
  {
    let result = try BinaryRunner.run(["view"] + arguments + ["-o", scratch.path(name)])
    #expect(result.status == 0, "\(result.stderr)")
    return try String(contentsOfFile: scratch.path(name), encoding: .utf8)
  }

  /// The JSON data block of a page, parsed.
  static func data(_ page: String) throws -> [String: Any] {
    let start = try #require(page.range(of: "<script type=\"application/json\" id=\"ffc-data\">"))
    let end = try #require(page.range(of: "</script>", range: start.upperBound..<page.endIndex))
    let json = Data(page[start.upperBound..<end.lowerBound].utf8)
    return try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
  }

  static func nodes(_ data: [String: Any]) -> [String: [String: Any]] {
    var byName: [String: [String: Any]] = [:]
    for node in data["nodes"] as? [[String: Any]] ?? [] {
      if let name = node["n"] as? String { byName[name] = node }
    }
    return byName
  }

  @Test func figure11_1PageHoldsValuesAndGradients() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let page = try Self.page(["samples/fig11_1.ffn"], in: scratch)
    #expect(page.hasPrefix("<!DOCTYPE html>"))
    let data = try Self.data(page)
    let nodes = Self.nodes(data)
    // The details write values as the DOT and --trace do: rows of aligned numbers.
    #expect(nodes["h1"]?["f"] as? String == "0  2")
    #expect(nodes["h1"]?["v"] as? String == "[0, 2]")
    #expect(nodes["o"]?["f"] as? String == "-4")
    #expect(nodes["dL/dW1"]?["f"] as? String == " 0   0   0\n16  16  16")
    #expect(nodes["dL/dW1"]?["g"] as? Int == 1)
    // W1's gradient is linked from W1, and the derivative's line is h1's.
    let all = data["nodes"] as? [[String: Any]] ?? []
    let gradientOfW1 = try #require(nodes["W1"]?["d"] as? Int)
    #expect(all[gradientOfW1]["n"] as? String == "dL/dW1")
    #expect(nodes["dL/dW1"]?["l"] as? Int == 22)
    #expect(data["note"] as? String == "values at the program's defaults")
    // The loss line's rewrites (x^2 -> square(x)) are attached to its nodes.
    #expect((nodes["L"]?["r"] as? [Int])?.isEmpty == false)
    let steps = data["steps"] as? [Int] ?? []
    #expect(all[steps.last!]["g"] as? Int == 1)
  }

  /// The gradient graph as `--trace` evaluates it: the derivative of `^2` with respect to its
  /// constant exponent (a `log` and a `mul` that nothing reads) is not drawn.
  @Test func figure11_1PageHasNoUnreadNodes() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let all = try Self.data(Self.page(["samples/fig11_1.ffn"], in: scratch))["nodes"]
    let nodes = try #require(all as? [[String: Any]])
    #expect(!nodes.contains { ($0["op"] as? String)?.hasPrefix("log") == true })
    var read = [Bool](repeating: false, count: nodes.count)
    for node in nodes {
      for input in node["i"] as? [Int] ?? [] { read[input] = true }
    }
    // Every unread node is a root or a named value, as --trace lists them.
    for (index, node) in nodes.enumerated() where !read[index] {
      let name = node["n"] as? String ?? ""
      #expect(name.first?.isNumber == false, "unread node \(name): \(node["op"] ?? "")")
    }
  }

  @Test func pageLoadsNothingFromOutside() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let page = try Self.page(["samples/iris.ffn", "--data", "samples/data/iris.csv"], in: scratch)
    for marker in ["<script src", "<link", "@import", "url(http", "url(//", "<iframe", "<img"] {
      #expect(!page.contains(marker), "\(marker)")
    }
    // The one address is the SVG namespace, a name and not a fetch.
    let addresses = page.components(separatedBy: "http").count - 1
    #expect(addresses == page.components(separatedBy: "http://www.w3.org/2000/svg").count - 1)
    #expect(
      try Self.data(page)["note"] as? String == "values for the 150 rows of samples/data/iris.csv")
  }

  @Test func programTextCannotBreakThePage() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let hostile = "# </script><script>alert(1)</script> <!-- & \u{2028} <b>"
    let program = try scratch.file(
      "hostile.ffn", "\(hostile)\ninput x = 2\nparam w = 3\ny = w * x   # </script>\nloss L = y^2\n"
    )
    let page = try Self.page([program], in: scratch)
    #expect(page.components(separatedBy: "</script>").count - 1 == 2)
    #expect(!page.contains("<!--"))
    let source = try Self.data(page)["source"] as? [String]
    #expect(source?.first == hostile)
  }

  @Test func sameBytesInEveryProcess() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let first = try Self.page(["samples/mlp5.ffn"], in: scratch, name: "a.html")
    let second = try Self.page(["samples/mlp5.ffn"], in: scratch, name: "b.html")
    #expect(first == second)
    let data = try Self.data(first)
    #expect((data["note"] as? String)?.hasPrefix("shapes only: ") == true)
    #expect(data["hasValues"] as? Bool == false)
  }

  @Test func trainingLogBecomesCurves() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let log = try scratch.file(
      "train.csv",
      "epoch,train_loss,train_accuracy,val_loss,val_accuracy,seconds\n1,0.9,0.5,,,0.1\n2,0.5,0.75,,,0.1\n"
    )
    let page = try Self.page(["samples/xor.ffn", "--log", log], in: scratch)
    // The curves are ffc plot's SVG, inline in the page, with its legend.
    let section = try #require(page.range(of: "<div id=\"curves\"><h2>training curves</h2>\n<svg"))
    #expect(!page.contains("<?xml"))
    let plot = page[section.lowerBound...]
    #expect(plot.contains("training"))
    #expect(plot.contains("accuracy"))
    let bad = try scratch.file("bad.csv", "not,a,log\n")
    let result = try BinaryRunner.run([
      "view", "samples/xor.ffn", "--log", bad, "-o", scratch.path("x.html"),
    ])
    #expect(result.status == 1)
    #expect(result.stderr.contains("the header has no 'epoch' column"), "\(result.stderr)")
  }

  @Test func errorsHaveTheirExitCodes() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let program = try scratch.file("net.ffn", "input x = 2\nparam w = 3\nloss L = (w * x)^2\n")
    let overwrite = try BinaryRunner.run(["view", program, "-o", program])
    #expect(overwrite.status == 2)
    #expect(overwrite.stderr.contains("would write over"))
    let missing = try BinaryRunner.run([
      "view", scratch.path("none.ffn"), "-o", scratch.path("a.html"),
    ])
    #expect(missing.status == 1)
    let badData = try BinaryRunner.run([
      "view", "samples/iris.ffn", "--data", scratch.path("none.csv"), "-o", scratch.path("b.html"),
    ])
    #expect(badData.status == 1)
    #expect(!FileManager.default.fileExists(atPath: scratch.path("b.html")))
    let toStandardOutput = try BinaryRunner.run(["view", program])
    #expect(toStandardOutput.status == 0)
    #expect(toStandardOutput.stdout.hasPrefix("<!DOCTYPE html>"))
    let help = try BinaryRunner.run(["help"])
    #expect(help.stdout.contains("view"))
  }
}
