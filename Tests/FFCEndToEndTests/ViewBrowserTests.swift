import FFCDriver
import FFCTestSupport
import Foundation
import Testing

/// Every sample's `ffc view` page in a real browser: headless Chromium loads it with `#selftest`,
/// the page clicks through itself (a source line lights its nodes in both graphs, a node shows its
/// details, the step-through reaches the last gradient, a layer collapses and expands) and writes
/// its results into the page, which `--dump-dom` reads back. Any failed check or any message the
/// page logs fails the test. Skipped where Chromium is not installed (`.ci/run` installs it).
@Suite struct ViewBrowserTests {
  static let chromium = BinaryRunner.which("chromium") ?? BinaryRunner.which("chromium-browser")
  static let timeout = BinaryRunner.which("timeout")

  /// The samples, each with its data file when it has one. The digits networks run without data:
  /// their pages then show shapes only, which the test covers too, and the debug build's run over
  /// 1,797 rows would take most of the test's time.
  static let samples: [String] = Repository.sampleFiles().map { ($0 as NSString).lastPathComponent }

  static func arguments(_ sample: String) -> [String] {
    let name = (sample as NSString).deletingPathExtension
    let data = "samples/data/\(name).csv"
    let hasData = FileManager.default.fileExists(
      atPath: Repository.root.appendingPathComponent(data).path)
    return ["samples/\(sample)"] + (hasData && name != "digits" ? ["--data", data] : [])
  }

  /// Runs Chromium headless on `url` with `flags`, within two minutes.
  static func browse(_ flags: [String], _ url: URL, profile: URL) throws -> BinaryRunner.Result {
    let browser = try #require(chromium)
    let arguments = [
      "120", browser.path, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
      "--user-data-dir=\(profile.path)", "--enable-logging=stderr", "--v=0",
    ]
    return try BinaryRunner.run(
      arguments + flags + [url.absoluteString], executable: try #require(timeout))
  }

  /// Loads a page with `#selftest` and checks what it wrote; returns the page's path.
  static func selfTest(_ viewArguments: [String], in scratch: ViewCLITests.Scratch) throws {
    let page = scratch.url.appendingPathComponent("page.html")
    let view = try BinaryRunner.run(["view"] + viewArguments + ["-o", page.path])
    #expect(view.status == 0, "\(view.stderr)")
    var address = try #require(URLComponents(url: page, resolvingAgainstBaseURL: false))
    address.fragment = "selftest"
    let result = try browse(
      ["--dump-dom"], try #require(address.url),
      profile: scratch.url.appendingPathComponent("profile"))
    #expect(result.status == 0, "\(result.stderr.suffix(2000))")
    let lines = result.stdout.split(separator: "\n").map(String.init)
    let summary = try #require(
      lines.first { $0.hasPrefix("selftest: ") }, "the page wrote no self-test results")
    #expect(summary.hasSuffix(" 0 failed"), "\(lines.filter { $0.hasPrefix("FAIL ") })")
    let passed = Int(summary.dropFirst("selftest: ".count).prefix { $0.isNumber }) ?? 0
    #expect(passed >= 10, "\(summary)")
    // Chromium writes what the page logs to the console as CONSOLE lines.
    let console = result.stderr.split(separator: "\n").filter { $0.contains(":CONSOLE") }
    #expect(console.isEmpty, "\(console)")
  }

  @Test(.enabled(if: chromium != nil && timeout != nil), arguments: samples)
  func samplePagePassesItsSelfTest(sample: String) throws {
    let scratch = try ViewCLITests.Scratch()
    defer { scratch.remove() }
    try Self.selfTest(Self.arguments(sample), in: scratch)
  }

  @Test(.enabled(if: chromium != nil && timeout != nil))
  func aPageWithTrainingCurvesPassesItsSelfTest() throws {
    let scratch = try ViewCLITests.Scratch()
    defer { scratch.remove() }
    let log = try scratch.file(
      "train.csv",
      "epoch,train_loss,train_accuracy,val_loss,val_accuracy,seconds\n1,0.9,0.5,1.0,0.4,0.1\n2,0.5,0.75,0.7,0.6,0.1\n"
    )
    try Self.selfTest(
      ["samples/iris.ffn", "--data", "samples/data/iris.csv", "--log", log], in: scratch)
  }

  @Test(.enabled(if: chromium != nil && timeout != nil))
  func aDeepNetStartsCollapsedAndStaysUsable() throws {
    let scratch = try ViewCLITests.Scratch()
    defer { scratch.remove() }
    let program = try scratch.file("deep.ffn", MLPGenerator.program(depth: 80, width: 4))
    try Self.selfTest([program], in: scratch)
    let data = try ViewCLITests.data(
      try String(contentsOf: scratch.url.appendingPathComponent("page.html"), encoding: .utf8))
    #expect((data["forward"] as? [String: Any])?["collapsed"] as? Bool == true)
  }

  @Test(
    .enabled(if: chromium != nil && timeout != nil),
    arguments: ["fig11_1.ffn", "iris.ffn", "mlp5.ffn"])
  func screenshot(sample: String) throws {
    let scratch = try ViewCLITests.Scratch()
    defer { scratch.remove() }
    let page = scratch.url.appendingPathComponent("page.html")
    let view = try BinaryRunner.run(["view"] + Self.arguments(sample) + ["-o", page.path])
    #expect(view.status == 0, "\(view.stderr)")
    let picture = scratch.url.appendingPathComponent("page.png")
    let result = try Self.browse(
      ["--window-size=1400,900", "--screenshot=\(picture.path)"], page,
      profile: scratch.url.appendingPathComponent("profile"))
    #expect(result.status == 0, "\(result.stderr.suffix(2000))")
    let png = try Data(contentsOf: picture)
    #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
    #expect(png.count > 10_000)
  }
}
