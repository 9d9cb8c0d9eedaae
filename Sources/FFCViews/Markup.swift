/// Text inside XML or HTML: the explorer page, the SVG plots and Graphviz's HTML-like labels all
/// escape the same four characters, so that text is safe in element content and in a
/// double-quoted attribute.
enum Markup {
  static func escaped(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for character in text {
      switch character {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      default: out.append(character)
      }
    }
    return out
  }
}
