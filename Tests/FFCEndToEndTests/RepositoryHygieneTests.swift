import FFCTestSupport
import Foundation
import Testing

/// The repository names no path of the machine it was written on: the shared folder is
/// `../shared`, relative to the repository, and everything else is found from the repository.
@Suite struct RepositoryHygieneTests {
  /// Prefixes of absolute paths that only exist on some machine (a home, a work tree, a mount),
  /// put together here so that this file does not spell them itself and needs no exemption.
  static let machinePathPrefixes = ["work", "home", "Users", "root", "mnt", "opt"].map { "/\($0)/" }
  static let skippedDirectories: Set<String> = [".git", ".build", ".swiftpm"]

  /// Every regular file under the repository root, outside build and version-control folders,
  /// sorted so a failure lists them in a stable order.
  static func repositoryFiles() -> [String] {
    let root = Repository.root.path
    var found: [String] = []
    var pending = [""]
    while let relative = pending.popLast() {
      let absolute = relative.isEmpty ? root : root + "/" + relative
      let names = (try? FileManager.default.contentsOfDirectory(atPath: absolute)) ?? []
      for name in names where !skippedDirectories.contains(name) && !name.hasPrefix(".build") {
        let path = relative.isEmpty ? name : relative + "/" + name
        var isDirectory: ObjCBool = false
        FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDirectory)
        if isDirectory.boolValue { pending.append(path) } else { found.append(path) }
      }
    }
    return found.sorted()
  }

  @Test func noFileNamesAnAbsoluteMachinePath() throws {
    var offenders: [String] = []
    for path in Self.repositoryFiles() {
      guard let data = FileManager.default.contents(atPath: Repository.root.path + "/" + path),
        let text = String(data: data, encoding: .utf8)
      else { continue }
      for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false)
        .enumerated()
      where Self.machinePathPrefixes.contains(where: { line.contains($0) }) {
        offenders.append("\(path):\(number + 1): \(line.trimmingCharacters(in: .whitespaces))")
      }
    }
    #expect(offenders.isEmpty, "absolute machine paths:\n\(offenders.joined(separator: "\n"))")
    #expect(Self.repositoryFiles().contains("samples/bench/run.sh"))
  }

  /// Modules of the toolchain, which no target declares.
  static let toolchainModules: Set<String> = [
    "Dispatch", "Foundation", "FoundationXML", "Synchronization", "Testing", "XCTest",
  ]

  /// Each target of Package.swift with the dependencies it declares, read from the manifest's
  /// text (`name: "X"` then its `dependencies: [...]`, as swift format lays them out).
  static func declaredTargets() throws -> [(name: String, dependencies: Set<String>)] {
    let manifest = try String(
      contentsOf: Repository.root.appendingPathComponent("Package.swift"), encoding: .utf8)
    // Text before the first target is the package's own header (its name, its products).
    let calls = manifest.components(separatedBy: ".target(")
      .flatMap { $0.components(separatedBy: "Target(") }.dropFirst()
    return calls.compactMap { call in
      guard let name = call.firstQuoted(after: "name: ") else { return nil }
      guard let list = call.range(of: "dependencies: [") else { return (name, []) }
      let end = call[list.upperBound...].firstIndex(of: "]") ?? call.endIndex
      let pieces = call[list.upperBound..<end].split(
        separator: "\"", omittingEmptySubsequences: false)
      let quoted = pieces.indices.filter { $0 % 2 == 1 }.map { String(pieces[$0]) }
      return (name, Set(quoted))
    }
  }

  /// Every module a target's sources import is one it declares: a module reached only through
  /// another dependency builds today by accident of the graph, and the layering in Package.swift
  /// would not be the truth. And nothing shipped (a target under Sources/) uses test support.
  @Test func everyTargetDeclaresWhatItImports() throws {
    let targets = try Self.declaredTargets()
    #expect(targets.count > 10, "Package.swift's targets were not found")
    let names = Set(targets.map(\.name))
    var undeclared: [String] = []
    for target in targets {
      let shipped = FileManager.default.fileExists(
        atPath: Repository.root.path + "/Sources/" + target.name)
      let folder = shipped ? "Sources/" : "Tests/"
      if shipped && target.name != "FFCTestSupport"
        && target.dependencies.contains("FFCTestSupport")
      {
        undeclared.append("\(target.name) is shipped and must not depend on FFCTestSupport")
      }
      for path in Self.repositoryFiles()
      where path.hasPrefix(folder + target.name + "/") && path.hasSuffix(".swift") {
        let text = try String(
          contentsOf: Repository.root.appendingPathComponent(path), encoding: .utf8)
        for line in text.split(separator: "\n") {
          let words = line.split(separator: " ").map(String.init)
          guard let at = words.firstIndex(of: "import"), at + 1 < words.count,
            words[..<at].allSatisfy({ $0.hasPrefix("@") })
          else { continue }
          let module = words[at + 1]
          if names.contains(module) && !target.dependencies.contains(module) {
            undeclared.append("\(path): imports \(module), not declared by \(target.name)")
          } else if !names.contains(module) && !Self.toolchainModules.contains(module) {
            undeclared.append("\(path): imports \(module), which is no target of the package")
          }
        }
      }
    }
    #expect(undeclared.isEmpty, "\(undeclared.joined(separator: "\n"))")
  }
}

extension String {
  /// The first double-quoted string after `marker`.
  fileprivate func firstQuoted(after marker: String) -> String? {
    guard let at = range(of: marker) else { return nil }
    let rest = self[at.upperBound...].split(separator: "\"", omittingEmptySubsequences: false)
    return rest.count > 1 ? String(rest[1]) : nil
  }
}
