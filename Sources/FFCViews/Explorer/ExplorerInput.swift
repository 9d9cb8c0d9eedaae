import FFCIR
import FFCTensor
import Foundation

/// Everything the explorer page shows, gathered by the driver: the program, its differentiated
/// graph (unoptimised, so every name keeps its node, as `--trace` sees it), each node's value when
/// the program could be run, the rewrites the optimiser would make, and a training log.
public struct ExplorerInput {
  public var title: String
  public var source: String
  public var graph: Graph
  /// One per node, or empty when the program was not run (then the page shows shapes only).
  public var values: [Tensor?]
  /// Where the values come from, or why there are none.
  public var valuesNote: String
  public var rewrites: [ExplorerRewrite]
  public var log: ExplorerCurves?

  public init(
    title: String, source: String, graph: Graph, values: [Tensor?], valuesNote: String,
    rewrites: [ExplorerRewrite], log: ExplorerCurves? = nil
  ) {
    self.title = title
    self.source = source
    self.graph = graph
    self.values = values
    self.valuesNote = valuesNote
    self.rewrites = rewrites
    self.log = log
  }
}

/// One rewrite the optimiser made (`--explain-rewrites`), and where in the program.
public struct ExplorerRewrite: Sendable {
  public var pass: String
  public var rule: String
  public var line: Int?
  public var before: String
  public var after: String

  public init(pass: String, rule: String, line: Int?, before: String, after: String) {
    (self.pass, self.rule, self.line, self.before, self.after) = (pass, rule, line, before, after)
  }
}

/// The columns of a `train --log` file: one series per column after `epoch`, with nil where a
/// row leaves the field empty.
public struct ExplorerCurves: Sendable {
  public var epochs: [Double]
  public var series: [(name: String, values: [Double?])]

  public init(epochs: [Double], series: [(name: String, values: [Double?])]) {
    self.epochs = epochs
    self.series = series
  }

  /// Parses the CSV `train --log` writes; nil when it has no header with `epoch` first.
  public static func parse(_ text: String) -> ExplorerCurves? {
    let lines = text.split(whereSeparator: \.isNewline).map {
      $0.split(separator: ",", omittingEmptySubsequences: false).map {
        $0.trimmingCharacters(in: .whitespaces)
      }
    }
    guard let header = lines.first, header.first == "epoch", header.count > 1 else { return nil }
    var epochs: [Double] = []
    var columns = [[Double?]](repeating: [], count: header.count - 1)
    for fields in lines.dropFirst() {
      guard let epoch = fields.first.flatMap({ Double($0) }) else { return nil }
      epochs.append(epoch)
      for column in columns.indices {
        columns[column].append(column + 1 < fields.count ? Double(fields[column + 1]) : nil)
      }
    }
    let series = zip(header.dropFirst(), columns).filter { $0.0 != "seconds" }.map {
      (name: String($0.0), values: $0.1)
    }
    return ExplorerCurves(epochs: epochs, series: series)
  }
}
