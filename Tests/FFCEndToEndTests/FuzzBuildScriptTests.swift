import FFCTestSupport
import Foundation
import Testing

/// samples/fuzz/build.sh compiles the modules the libFuzzer targets need by hand, outside
/// `swift build`, so nothing else notices when Package.swift adds a module they now depend on
/// (after the kernel dispatch it stopped at 'no such module FFCKernelCore'). This reads both
/// files' text and holds the script to the manifest: every module the fuzz targets reach is
/// compiled from its target's folder, after the modules it depends on, and linked.
@Suite struct FuzzBuildScriptTests {
  static let script = "samples/fuzz/build.sh"

  /// The modules build.sh compiles, in order, with the folder each is compiled from: its
  /// `compile NAME FOLDER` lines, and the `for module in A B; do compile "$module"
  /// "Sources/$module"` loop.
  static func compiledModules(_ text: String) -> [(module: String, folder: String)] {
    var compiled: [(module: String, folder: String)] = []
    var loopModules: [String] = []
    for line in text.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
      let words = line.split(separator: " ").map(String.init)
      if words.first == "for", words.count > 3, words[2] == "in", line.hasSuffix("; do") {
        loopModules = words[3...].map { $0.replacingOccurrences(of: ";", with: "") }
          .filter { $0 != "do" }
        continue
      }
      guard words.first == "compile", words.count >= 3 else { continue }
      if words[1] == "\"$module\"" {
        compiled += loopModules.map { ($0, "Sources/" + $0) }
      } else if !compiled.contains(where: { $0.module == words[1] }) {
        compiled.append((words[1], words[2]))
      }
    }
    return compiled
  }

  /// The object files linked into the fuzz targets (`"$out"/NAME.o`).
  static func linkedObjects(_ text: String) -> Set<String> {
    let pieces = text.components(separatedBy: "\"$out\"/").dropFirst()
    return Set(
      pieces.compactMap { piece in
        piece.range(of: ".o").map { String(piece[..<$0.lowerBound]) }
      })
  }

  /// The modules the fuzz targets' sources import, with every module those depend on in
  /// Package.swift.
  static func neededModules(_ targets: [(name: String, dependencies: Set<String>)]) throws
    -> Set<String>
  {
    let known = Set(targets.map(\.name))
    var needed: Set<String> = []
    var pending: [String] = []
    for file in ["samples/fuzz/fuzz_frontend.swift", "samples/fuzz/fuzz_csv.swift"] {
      let text = try String(
        contentsOf: Repository.root.appendingPathComponent(file), encoding: .utf8)
      for line in text.split(separator: "\n") where line.hasPrefix("import ") {
        let module = String(line.dropFirst("import ".count))
        if known.contains(module) { pending.append(module) }
      }
    }
    #expect(!pending.isEmpty, "the fuzz targets import no module of the package")
    while let module = pending.popLast() {
      guard needed.insert(module).inserted else { continue }
      pending += targets.first { $0.name == module }?.dependencies.sorted() ?? []
    }
    return needed
  }

  /// A target's folder: its `path:` in Package.swift, or Sources/NAME.
  static func folder(of target: String, manifest: String) -> String {
    for call in manifest.components(separatedBy: "name: \"").dropFirst()
    where call.hasPrefix(target + "\"") {
      let head = call.prefix { $0 != ")" }
      if let path = head.range(of: "path: \"") {
        return String(head[path.upperBound...].prefix { $0 != "\"" })
      }
    }
    return "Sources/" + target
  }

  @Test func buildScriptCompilesAndLinksEveryModuleTheTargetsNeed() throws {
    let text = try String(
      contentsOf: Repository.root.appendingPathComponent(Self.script), encoding: .utf8)
    let manifest = try String(
      contentsOf: Repository.root.appendingPathComponent("Package.swift"), encoding: .utf8)
    let targets = try RepositoryHygieneTests.declaredTargets()
    let needed = try Self.neededModules(targets)
    #expect(needed.contains("FFCFrontend") && needed.contains("FFCData"))
    let compiled = Self.compiledModules(text)
    let order = Dictionary(
      compiled.enumerated().map { ($1.module, $0) }, uniquingKeysWith: { first, _ in first })
    let linked = Self.linkedObjects(text)
    var problems: [String] = []
    for module in needed.sorted() {
      guard let position = order[module] else {
        problems.append(
          "\(module) is needed by the fuzz targets but \(Self.script) does not compile it")
        continue
      }
      let folder = Self.folder(of: module, manifest: manifest)
      if compiled[position].folder != folder {
        problems.append("\(module) is compiled from \(compiled[position].folder), not \(folder)")
      }
      if !linked.contains(module) {
        problems.append("\(module) is compiled but not linked into the fuzz targets")
      }
      let dependencies = targets.first { $0.name == module }?.dependencies ?? []
      for dependency in dependencies.sorted() where (order[dependency] ?? .max) > position {
        problems.append("\(module) is compiled before \(dependency), which it imports")
      }
    }
    #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
  }

  /// The reading above finds what the script spells today (so the test cannot pass by reading
  /// nothing).
  @Test func theScriptIsReadAsItIsWritten() throws {
    let text = try String(
      contentsOf: Repository.root.appendingPathComponent(Self.script), encoding: .utf8)
    let compiled = Self.compiledModules(text)
    #expect(compiled.first?.module == "FFCKernelCore")
    #expect(compiled.contains { $0 == ("FFCKernelsAVX2", "Sources/FFCKernels/AVX2") })
    #expect(compiled.contains { $0 == ("FFCIR", "Sources/FFCIR") })
    #expect(Self.linkedObjects(text).contains("FFCTensor"))
  }
}
