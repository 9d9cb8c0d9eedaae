import FFCTestSupport
import Foundation
import Testing

/// The repository names no path of the machine it was written on: the shared folder is
/// `../shared`, relative to the repository, and everything else is found from the repository.
@Suite struct RepositoryHygieneTests {
  /// Prefixes of absolute paths that only exist on some machine (a home, a work tree, a mount).
  static let machinePathPrefixes = ["/work/", "/home/", "/Users/", "/root/", "/mnt/", "/opt/"]
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
    for path in Self.repositoryFiles()
    where path != "Tests/FFCEndToEndTests/\(#fileID.split(separator: "/").last!)" {
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
}
