import Foundation

/// Paths inside the repository, found from this file's location so tests run from any directory.
public enum Repository {
  public static let root: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  public static var samples: URL { root.appendingPathComponent("samples") }

  /// Every `samples/*.ffn`, sorted by name.
  public static func sampleFiles() -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: samples.path)) ?? []
    return names.filter { $0.hasSuffix(".ffn") }.sorted()
  }

  public static func read(_ relativePath: String) -> String {
    (try? String(contentsOf: root.appendingPathComponent(relativePath), encoding: .utf8)) ?? ""
  }
}
