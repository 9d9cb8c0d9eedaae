import FFCData
import FFCIR
import Testing

/// Reads `text` as a CSV file named `path`.
func table(_ text: String, path: String = "data.csv") throws -> CSVTable {
  try CSVReader.read(SourceFile(path: path, text: text))
}

/// The diagnostic reading `text` fails with, or nil when it reads.
func readError(_ text: String, path: String = "data.csv") -> Diagnostic? {
  do {
    _ = try CSVReader.read(SourceFile(path: path, text: text))
    return nil
  } catch {
    return error
  }
}

/// `id` and `line:column` of a diagnostic: what most error tests assert.
func summary(_ diagnostic: Diagnostic?) -> String {
  guard let diagnostic else { return "no error" }
  guard let range = diagnostic.range else { return diagnostic.id }
  return "\(diagnostic.id) \(range.start.line):\(range.start.column)"
}

func declaration(
  _ name: String, _ kind: DeclarationKind, _ shape: Shape, default value: Tensor? = nil
) -> Declaration {
  Declaration(name: name, kind: kind, node: NodeID(0), shape: shape, defaultValue: value)
}

/// A graph with declarations only: enough for binding, except class counts.
func program(_ declarations: [Declaration]) -> Graph {
  Graph(name: "test", nodes: [], declarations: declarations, outputs: [], loss: nil)
}

/// `input Z[shape]; label y[...]; loss = softmax_cross_entropy(Z, y)`: y holds class indices
/// 0..<classes, where classes is Z's last dimension. `batch` prefixes both shapes with N.
func classifier(classes: Int, batch: Bool, labelName: String = "y", extra: [Declaration] = [])
  throws -> Graph
{
  let builder = GraphBuilder()
  let zShape: Shape = batch ? [.symbol("N"), .fixed(classes)] : [.fixed(classes)]
  let yShape: Shape = batch ? [.symbol("N")] : .scalar
  let z = try builder.emit(
    Op.input, [], Attributes([("name", .string("Z")), ("shape", .shape(zShape))]))
  let y = try builder.emit(
    Op.input, [], Attributes([("name", .string(labelName)), ("shape", .shape(yShape))]))
  let loss = try builder.emit(Op.softmaxCrossEntropy, [z, y])
  let declarations =
    [
      Declaration(name: "Z", kind: .input, node: z, shape: zShape),
      Declaration(name: labelName, kind: .label, node: y, shape: yShape),
    ] + extra
  return builder.graph(
    name: "classifier", declarations: declarations, outputs: [], loss: NamedValue("L", loss))
}

func bind(_ csv: String, _ graph: Graph, set: Set<String> = [], path: String = "data.csv") throws
  -> DataSet
{
  try DataBinder.bind(table(csv, path: path), graph: graph, setNames: set)
}

/// The diagnostic binding fails with (reading must succeed).
func bindError(_ csv: String, _ graph: Graph, set: Set<String> = [], path: String = "data.csv")
  throws -> Diagnostic?
{
  let data = try table(csv, path: path)
  do {
    _ = try DataBinder.bind(data, graph: graph, setNames: set)
    return nil
  } catch {
    return error
  }
}

func render(_ diagnostic: Diagnostic?, _ text: String, path: String = "data.csv") -> String {
  guard let diagnostic else { return "no error" }
  return DiagnosticRenderer(files: [SourceFile(path: path, text: text)]).render(diagnostic)
}

extension DataSet {
  func column(_ name: String) -> Tensor? { columns.first { $0.name == name }?.value }
}
