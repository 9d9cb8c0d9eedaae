/// JSON for the explorer page's data block, written by hand in a fixed key order. Strings escape
/// `<`, `>` and `&` as well as quotes and control characters, so no text from the program (a
/// name, a source line holding `</script>`) can end the script element that carries the data.
enum JSONText {
  static func string(_ text: String) -> String {
    var out = "\""
    out.reserveCapacity(text.utf8.count + 2)
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "<", ">", "&", "\u{2028}", "\u{2029}": out += unicodeEscape(scalar.value)
      case _ where scalar.value < 0x20: out += unicodeEscape(scalar.value)
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }

  static func string(_ text: String?) -> String { text.map { string($0) } ?? "null" }

  static func number(_ x: Double) -> String {
    guard x.isFinite else { return "null" }
    // One decimal is enough for pixels and keeps the page small.
    let rounded = (x * 10).rounded() / 10
    return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
  }

  static func number(_ x: Int?) -> String { x.map(String.init) ?? "null" }

  static func array(_ items: [String]) -> String { "[" + items.joined(separator: ",") + "]" }

  /// An object with its keys in the order given.
  static func object(_ pairs: [(String, String)]) -> String {
    "{" + pairs.map { string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
  }

  private static func unicodeEscape(_ value: UInt32) -> String {
    let hex = String(value, radix: 16)
    return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
  }
}
