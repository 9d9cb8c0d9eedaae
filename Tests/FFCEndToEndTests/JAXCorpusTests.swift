import FFCTestSupport
import Foundation
import Testing

/// The programs of `Tests/Fixtures/jax`, each run by ffc in f64 at both optimisation levels and
/// compared with the values JAX computed in float64 (`generate.py` wrote them; the tests need no
/// Python), then checked against finite differences and with `--check-rewrites`.
@Suite struct JAXCorpusTests {
  static let directory = "Tests/Fixtures/jax"

  static let cases: [String] = {
    let path = Repository.root.appendingPathComponent(directory).path
    let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
    return names.filter { $0.hasSuffix(".ffn") }.map { String($0.dropLast(4)) }.sorted()
  }()

  static func expected(_ name: String) throws -> [String: [Double]] {
    let text = Repository.read("\(directory)/\(name).json")
    let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: [Double]]
    return try #require(object, "\(name).json is not a table of number lists")
  }

  @Test func theCorpusIsThere() {
    #expect(Self.cases.count >= 3)
  }

  @Test(arguments: cases, ["-O1", "-O0"])
  func valuesAndGradientsMatchJAX(name: String, level: String) throws {
    let run = try RunOutput.run(["\(Self.directory)/\(name).ffn", "--grads", level])
    for (key, values) in try Self.expected(name).sorted(by: { $0.key < $1.key }) {
      let found = try #require(run[key], "\(name): ffc printed no '\(key)'")
      #expect(found.scalars.count == values.count, "\(name) \(key): \(found)")
      for (x, y) in zip(found.scalars, values) {
        #expect(
          abs(x - y) <= 1e-9 * max(1, abs(y)), "\(name) \(key): \(found.scalars) vs \(values)")
      }
    }
  }

  /// The table prints a value of rank 3 as its matrices, an empty line between them, and no
  /// trailing spaces.
  @Test func theTableSeparatesTheMatricesOfARank3Value() {
    let result = CLI.run(["run", "\(Self.directory)/rank4_param.ffn", "--precision", "f64"])
    #expect(result.code == .success, "\(result.stderr)")
    let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
    let start = lines.firstIndex { $0.hasPrefix("  b  [2, 2, 3]") }
    #expect(
      start.map { lines[$0 + 2].isEmpty && !lines[$0 + 3].isEmpty } == true, "\(result.stdout)")
    #expect(lines.allSatisfy { !$0.hasSuffix(" ") }, "\(result.stdout)")
  }

  @Test(arguments: cases)
  func gradientsAgreeWithFiniteDifferencesAndRewritesKeepValues(name: String) {
    let path = "\(Self.directory)/\(name).ffn"
    let check = CLI.run(["check", path])
    #expect(check.code == .success, "\(name): \(check.stdout)\(check.stderr)")
    let compile = CLI.run(["compile", path, "--emit-grad", "--check-rewrites"])
    #expect(compile.code == .success, "\(name): \(compile.stderr)")
  }
}
