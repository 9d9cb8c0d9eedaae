import FFCFormats
import FFCTensor

/// `--format json`: one object, keys in a fixed order.
///
///     {"precision": "f32", "rows": 150, "reduction": "mean",
///      "outputs": [{"name": "p", "shape": [150, 3], "value": [[...], ...]}],
///      "loss": {"name": "L", "shape": [], "value": 0.98},
///      "gradients": [{"name": "dL/dW1", "shape": [4, 16], "value": [[...]]}],
///      "trace": [{"name": "h1", "shape": [2], "value": [0, 2], "line": 21, "gradient": false}]}
///    (a value a function's call made has "call_line" too: the line of the outermost call)
///
/// "rows" and "reduction" appear only for data files; "loss" is null without a loss; "trace" only
/// with --trace. Values nest like the shape (a bare number for a scalar). JSON has no NaN or
/// infinity: those are written as the strings "nan", "inf" and "-inf".
enum ReportJSON {
  static func render(_ report: RunReport) -> String {
    var fields = ["\"precision\": \(JSON.quoted(report.precision.rawValue))"]
    if let rows = report.rows { fields.append("\"rows\": \(rows)") }
    if let reduction = report.reduction {
      fields.append("\"reduction\": \(JSON.quoted(reduction))")
    }
    fields.append("\"outputs\": " + list(report.outputs.map { entry($0.name, $0.value, report) }))
    fields.append("\"loss\": " + (report.loss.map { entry($0.name, $0.value, report) } ?? "null"))
    fields.append(
      "\"gradients\": " + list(report.gradients.map { entry($0.name, $0.value, report) }))
    if let hessian = report.hessian {
      fields.append("\"hessian\": " + entry(hessian.name, hessian.value, report))
    }
    if !report.trace.isEmpty {
      fields.append(
        "\"trace\": "
          + list(
            report.trace.map { t in
              var extra = ["\"gradient\": \(t.isGradient)"]
              if let line = t.line { extra.append("\"line\": \(line)") }
              if let call = t.callLine { extra.append("\"call_line\": \(call)") }
              if let row = t.row { extra.append("\"row\": \(row)") }
              return entry(t.name, t.value, report, extra: extra)
            }))
    }
    return "{\n  " + fields.joined(separator: ",\n  ") + "\n}\n"
  }

  static func entry(_ name: String, _ value: Tensor, _ report: RunReport, extra: [String] = [])
    -> String
  {
    let shape = "[" + value.shape.map(String.init).joined(separator: ", ") + "]"
    return "{"
      + ([
        "\"name\": \(JSON.quoted(name))", "\"shape\": \(shape)",
        "\"value\": \(nested(value, report))",
      ] + extra).joined(separator: ", ") + "}"
  }

  static func list(_ items: [String]) -> String {
    items.isEmpty ? "[]" : "[\n    " + items.joined(separator: ",\n    ") + "\n  ]"
  }

  /// Nested arrays following the shape, built without recursion: brackets open and close as the
  /// row-major index rolls over each axis.
  static func nested(_ value: Tensor, _ report: RunReport) -> String {
    let numbers = value.scalars.map { x -> String in
      x.isFinite ? report.number(x) : JSON.quoted(report.number(x))
    }
    guard value.rank > 0 else { return numbers[0] }
    guard value.count > 0 else {
      return String(repeating: "[", count: value.rank) + String(repeating: "]", count: value.rank)
    }
    let strides = rowMajorStrides(value.shape)
    var out = ""
    for (flat, text) in numbers.enumerated() {
      let opened = strides.filter { flat % $0 == 0 }.count
      out +=
        flat == 0
        ? String(repeating: "[", count: opened) : ", " + String(repeating: "[", count: opened - 1)
      out += text
      let closed = strides.filter { (flat + 1) % $0 == 0 }.count
      out += String(repeating: "]", count: closed - 1)
    }
    return out + "]"
  }
}
