import FFCTensor

/// `--format csv`: one line per element, `kind,name,index,value`, for other programs to read.
/// kind is output, loss, gradient or trace; index is the element's 0-based position with its
/// axes joined by ':' (`1:2`), empty for a scalar; a trace line's name is prefixed with its data
/// row for per-example runs (`row3/h1`).
enum ReportCSV {
  static func render(_ report: RunReport) -> String {
    var out = "kind,name,index,value\n"
    for entry in report.trace {
      let name = entry.row.map { "row\($0)/" } ?? ""
      out += lines("trace", name + entry.name, entry.value, report)
    }
    for entry in report.outputs { out += lines("output", entry.name, entry.value, report) }
    if let loss = report.loss { out += lines("loss", loss.name, loss.value, report) }
    for entry in report.gradients { out += lines("gradient", entry.name, entry.value, report) }
    if let hessian = report.hessian { out += lines("hessian", hessian.name, hessian.value, report) }
    return out
  }

  static func lines(_ kind: String, _ name: String, _ value: Tensor, _ report: RunReport) -> String
  {
    let strides = rowMajorStrides(value.shape)
    var out = ""
    for (flat, x) in value.scalars.enumerated() {
      let index = zip(strides, value.shape).map { String(flat / $0 % Swift.max(1, $1)) }.joined(
        separator: ":")
      out += "\(kind),\(quoted(name)),\(index),\(report.number(x))\n"
    }
    return out
  }

  /// A field quoted when it holds a comma or a quote (names never do today, but stay safe).
  static func quoted(_ field: String) -> String {
    guard field.contains(",") || field.contains("\"") else { return field }
    return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }
}
