import Foundation

/// The committed files written by numpy and safetensors (Tests/Fixtures/formats, made by its
/// make_fixtures.py), found from this file's place so tests run from any directory.
enum Fixture {
  static let directory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
      "Fixtures/formats")

  static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

  /// A fresh path in the temporary directory.
  static func temporary(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent(
      "ffc-formats-\(UUID().uuidString)-\(name)"
    ).path
  }
}
