import FFCPasses

/// The `--stats` table: per pass, the node count before and after, then the rewrites it made.
enum StatisticsTable {
  static func render(_ compilation: Compilation, showTimes: Bool) -> String {
    var rows: [[String]] = [["frontend", "-> \(compilation.forward.nodes.count)", "", ""]]
    for report in compilation.result.reports {
      let runs = report.runs > 1 ? " (\(report.runs) runs)" : ""
      rows.append([
        report.name + runs, "\(report.nodesBefore) -> \(report.nodesAfter)",
        String(report.counters.reduce(0) { $0 + $1.1 }), milliseconds(report.seconds),
      ])
      for (rule, count) in report.counters {
        rows.append(["  " + rule, "", String(count), ""])
      }
    }
    let graph = compilation.graph
    let summary =
      "result: \(graph.nodes.count) nodes (\(graph.nodes.count - graph.gradientNodeCount) forward, \(graph.gradientNodeCount) gradient)\n"
    let header = ["pass", "nodes", "rewrites", "time"]
    let columns = showTimes ? 4 : 3
    var widths = [Int](repeating: 0, count: columns)
    for row in [header] + rows {
      for column in 0..<columns where column < row.count {
        widths[column] = max(widths[column], row[column].count)
      }
    }
    let lines = ([header] + rows).map { row in
      (0..<columns).map { column -> String in
        let cell = column < row.count ? row[column] : ""
        let last = column == columns - 1
        if column == 2 || column == 3 {
          return String(repeating: " ", count: widths[column] - cell.count) + cell
        }
        return last ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
      }.joined(separator: "  ").trimmingTrailingSpaces()
    }
    return lines.joined(separator: "\n") + "\n" + summary
  }

  static func milliseconds(_ seconds: Double) -> String {
    let ms = seconds * 1000
    return ms < 10 ? "\(Double(Int(ms * 100)) / 100) ms" : "\(Int(ms.rounded())) ms"
  }
}

extension String {
  func trimmingTrailingSpaces() -> String {
    var s = Substring(self)
    while s.last == " " { s.removeLast() }
    return String(s)
  }
}
