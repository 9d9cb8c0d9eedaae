/// A command's usage line and help, made from its option table and its prose.
enum CommandHelp {
  /// Labels up to this wide share their line with the help; a wider one has a line of its own.
  static let labelWidth = 24

  /// `ffc run <file.ffn> [--data <file.csv>] ... [--color auto|always|never]`: every option but
  /// `--help`, in the table's order.
  static func usage(command: String, operands: String, options: [any OptionDeclaration]) -> String {
    let parts = [command, operands] + options.filter { $0.key != Option.help.key }.map(\.usage)
    return (["ffc"] + parts.filter { !$0.isEmpty }).joined(separator: " ")
  }

  static func help(
    usage: String, discussion: String, options: [any OptionDeclaration], epilogue: String
  ) -> String {
    "usage: \(usage)\n\n\(discussion)\n\noptions:\n\(table(options))\n\n\(epilogue)"
  }

  /// One row per spelling group: the label, then the help aligned in a column after the widest
  /// label (continuation lines too).
  static func table(_ options: [any OptionDeclaration]) -> String {
    let rows = options.flatMap(\.helpRows)
    let width = min(labelWidth, rows.map(\.label.count).max() ?? 0)
    let indent = String(repeating: " ", count: 2 + width + 2)
    return rows.map { label, help in
      let lines = help.split(separator: "\n", omittingEmptySubsequences: false)
      let first =
        label.count <= width
        ? "  " + label.padding(toLength: width + 2, withPad: " ", startingAt: 0) + lines[0]
        : "  " + label + "\n" + indent + lines[0]
      return ([first] + lines.dropFirst().map { indent + $0 }).joined(separator: "\n")
    }.joined(separator: "\n")
  }
}
