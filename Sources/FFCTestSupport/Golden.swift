import Foundation

/// Golden-file comparison. With `FFC_UPDATE_GOLDENS=1` (or when the file is missing) the golden is
/// written and the check fails with a message asking for a re-run, so updates are always deliberate.
public enum Golden {
  public static var updating: Bool {
    ProcessInfo.processInfo.environment["FFC_UPDATE_GOLDENS"] == "1"
  }

  /// nil when `actual` matches the golden at `path`; otherwise a message with the first difference.
  public static func check(_ actual: String, at path: URL) -> String? {
    let normalized = normalize(actual)
    let expected = try? String(contentsOf: path, encoding: .utf8)
    if updating || expected == nil {
      try? FileManager.default.createDirectory(
        at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
      try? normalized.write(to: path, atomically: true, encoding: .utf8)
      return "recorded new golden at \(path.path); re-run without FFC_UPDATE_GOLDENS"
    }
    guard let expected, expected != normalized else { return nil }
    return
      "golden mismatch at \(path.lastPathComponent) (run with FFC_UPDATE_GOLDENS=1 to accept):\n"
      + firstDifference(expected, normalized)
  }

  /// `\n` line endings, a final newline, and repository-relative paths.
  public static func normalize(_ text: String) -> String {
    var out = text.replacingOccurrences(of: "\r\n", with: "\n")
      .replacingOccurrences(of: Repository.root.path + "/", with: "")
    if !out.hasSuffix("\n") { out += "\n" }
    return out
  }

  static func firstDifference(_ expected: String, _ actual: String) -> String {
    let a = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let b = actual.split(separator: "\n", omittingEmptySubsequences: false)
    let index = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
    let context = max(0, index - 3)
    var lines = ["first difference at line \(index + 1):"]
    for i in context..<index where i < a.count { lines.append("  \(a[i])") }
    if index < a.count { lines.append("- \(a[index])") }
    if index < b.count { lines.append("+ \(b[index])") }
    return lines.joined(separator: "\n")
  }
}
