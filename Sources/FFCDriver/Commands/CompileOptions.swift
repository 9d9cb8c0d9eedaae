import Foundation

/// The options only `ffc compile` takes.
extension Option where Value == Bool {
  static let emitGrad = Option(
    flag: "--emit-grad",
    help: """
      add the gradient graph: Differentiate appends the nodes that compute
      the gradient of the loss for every parameter (needs a 'loss')
      """)

  static let fuse = Option(
    flag: "--fuse",
    help: """
      print the graph as the interpreter runs it: chains of elementwise ops
      (with the bias broadcasts and scalar constants they read) fused into
      one 'fused' node each, computing the expression in its [program]
      """)

  static let explainRewrites = Option(
    flag: "--explain-rewrites",
    help: """
      print to stderr every rewrite that fired: where (file:line), the pass, the
      rule, and the expression before and after
      """)

  static let checkRewrites = Option(
    flag: "--check-rewrites",
    help: """
      evaluate the graph before and after every rewrite on seeded random f64
      values and report (exit 1) any rewrite that changes a value (a
      stabilising rewrite may remove the rounding error of the form it
      replaces)
      """)
}

/// How `ffc compile` prints the graph.
enum GraphForm: String, CaseIterable, Sendable {
  case text, dot
}

extension Option where Value == GraphForm {
  static let emit = Option(
    "--emit", default: .text,
    help: """
      the printed form: text (default; one node per line in SSA form) or
      Graphviz DOT (render with: dot -Tsvg)
      """)
}

/// What `--stats` prints: with each pass's time, or only the counts (`--stats=counts`).
enum StatsDetail: Sendable {
  case withTimes, counts
}

extension Option where Value == StatsDetail? {
  static let stats = Option(
    [
      Row(
        names: ["--stats"],
        help: """
          print to stderr the node counts before and after each pass, the rewrites
          each made and its time, then the interpreter's plan for the result:
          instructions, buffers and peak memory in f32 and f64, of the graph
          fused as run, train, check and bench execute it
          """),
      Row(names: ["--stats=counts"], help: "the same, without the times"),
    ], form: .flag([.withTimes, .counts]), default: nil)
}

/// `--order 2`: the gradient graph with the second order too.
enum GradientOrder: String, CaseIterable, Sendable {
  case first = "1"
  case second = "2"
}

extension Option where Value == GradientOrder {
  static let order = Option(
    "--order", default: .first,
    help: """
      with --emit-grad: 2 adds the second order, as Hessian-vector products:
      for every parameter W an input v.W (a direction) and an output Hv.W,
      the Hessian of the loss times the directions (default 1)
      """)
}

/// `--bind N=128`: the size to plan a symbolic dimension with.
struct SymbolBinding: Sendable {
  let symbol: String
  let size: Int
}

extension Option where Value == SymbolBinding? {
  static let bind = Option(
    [
      Row(
        names: ["--bind"],
        help: """
          the size to plan symbolic dimensions with for --stats (default 1 for
          every symbol, e.g. --bind N=128); repeatable
          """)
    ],
    form: .value(
      Reader(
        placeholder: "<s>=<n>", usagePlaceholder: "<symbol>=<n>",
        invalid: { text, _ in
          "'--bind \(text)' should be a symbol and a size from 0 to \(1 << 30), such as --bind N=128"
        },
        read: { text in
          let parts = text.split(separator: "=", maxSplits: 1).map {
            $0.trimmingCharacters(in: .whitespaces)
          }
          guard parts.count == 2, !parts[0].isEmpty, let size = Int(parts[1]),
            (0...1 << 30).contains(size)
          else { return nil }
          return SymbolBinding(symbol: parts[0], size: size)
        })), default: nil, repeatable: true)
}

extension Option where Value == String? {
  static let output = Option(
    "-o", file: "<file>", help: "write the graph to <file> instead of standard output")
}
