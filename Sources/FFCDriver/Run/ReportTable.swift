import FFCTensor

/// The default output of `ffc run`: sections of aligned `name  shape  value` rows, matrices as
/// blocks with their columns aligned, numbers in the shortest form that reads back exactly.
enum ReportTable {
  static func render(_ report: RunReport) -> String {
    var out = ""
    if !report.trace.isEmpty { out += trace(report) + "\n" }
    var sections: [(String, [RunReport.Entry])] = [("outputs", report.outputs)]
    if let loss = report.loss {
      let over =
        report.rows.map { rows in
          report.reduction.map { " (\($0) over \(rows) row\(rows == 1 ? "" : "s"))" } ?? ""
        }
        ?? ""
      sections.append(("loss" + over, [loss]))
    }
    if !report.gradients.isEmpty { sections.append(("gradients", report.gradients)) }
    if let hessian = report.hessian {
      sections.append(("hessian (row-major elements of the parameter)", [hessian]))
    }
    let printed = sections.filter { !$0.1.isEmpty }.map { title, entries in
      title + "\n" + block(entries.map { ($0.name, $0.value) }, report)
    }
    out += printed.joined(separator: "\n")
    return out.isEmpty ? "(the program declares no outputs and no loss)\n" : out
  }

  /// Rows of `name  shape  value`, names and shapes padded to a common width.
  static func block(_ entries: [(String, Tensor)], _ report: RunReport, indent: String = "  ")
    -> String
  {
    let nameWidth = entries.map(\.0.count).max() ?? 0
    let shapeWidth = entries.map { Shape($0.1.shape).description.count }.max() ?? 0
    var out = ""
    for (name, value) in entries {
      let head =
        indent + pad(name, nameWidth) + "  " + pad(Shape(value.shape).description, shapeWidth)
        + "  "
      let lines = valueLines(value, report)
      out += head + lines[0] + "\n"
      for line in lines.dropFirst() {
        out += (line.isEmpty ? "" : String(repeating: " ", count: head.count) + line) + "\n"
      }
    }
    return out
  }

  /// A scalar or vector on one line; a matrix (or higher) one row per line with aligned columns.
  /// Above rank 2 an empty line separates the matrices of the last two axes, as numpy prints.
  static func valueLines(_ value: Tensor, _ report: RunReport) -> [String] {
    let texts = value.scalars.map(report.number)
    guard value.rank >= 2 else { return [texts.joined(separator: "  ")] }
    let columns = value.shape[value.rank - 1]
    guard columns > 0, value.shape[value.rank - 2] > 0 else { return ["(empty)"] }
    let rowsPerMatrix = value.rank > 2 ? value.shape[value.rank - 2] : Int.max
    let width = texts.map(\.count).max() ?? 0
    var lines: [String] = []
    for (row, start) in stride(from: 0, to: texts.count, by: columns).enumerated() {
      if row > 0, row % rowsPerMatrix == 0 { lines.append("") }
      lines.append(
        texts[start..<start + columns].map { String(repeating: " ", count: width - $0.count) + $0 }
          .joined(separator: "  "))
    }
    return lines
  }

  /// `--trace`: every named value in program order, the forward pass then the gradient, each with
  /// the program line it comes from in a comment aligned across the trace.
  static func trace(_ report: RunReport) -> String {
    var lines: [(text: String, comment: String?)] = []
    var currentRow: Int?? = .none
    var section = ""
    let groups = Dictionary(grouping: report.trace.indices, by: { report.trace[$0].row ?? 0 })
    for entry in report.trace {
      if currentRow != .some(entry.row), let row = entry.row {
        lines.append(("trace of row \(row)", nil))
        section = ""
      }
      currentRow = .some(entry.row)
      let title = entry.isGradient ? "backward" : "forward"
      let indent = entry.row == nil ? "  " : "    "
      if title != section {
        lines.append((String(indent.dropLast(2)) + title, nil))
        section = title
      }
      // Names and shapes align within the entry's row group.
      let group = groups[entry.row ?? 0] ?? []
      let nameWidth = group.map { report.trace[$0].name.count }.max() ?? 0
      let shapeWidth =
        group.map { Shape(report.trace[$0].value.shape).description.count }.max() ?? 0
      let head =
        indent + pad(entry.name, nameWidth) + "  "
        + pad(Shape(entry.value.shape).description, shapeWidth) + "  "
      let values = valueLines(entry.value, report)
      let comment = entry.line.map { line in
        "# line \(line)" + (entry.callLine.map { " (call at line \($0))" } ?? "")
          + (entry.source.map { ": " + $0 } ?? "")
      }
      lines.append((head + values[0], comment))
      for line in values.dropFirst() {
        lines.append(((line.isEmpty ? "" : String(repeating: " ", count: head.count) + line), nil))
      }
    }
    let column = Swift.min(64, lines.filter { $0.comment != nil }.map(\.text.count).max() ?? 0) + 2
    return lines.map { line in
      guard let comment = line.comment else { return line.text + "\n" }
      return pad(line.text, column - 2) + "  " + comment + "\n"
    }.joined()
  }

  static func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
  }
}
