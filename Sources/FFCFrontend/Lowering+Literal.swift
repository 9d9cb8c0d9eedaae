import FFCDiagnostics
import FFCIR

extension Lowering {
  /// A number literal, possibly signed (`-1`, `+2.5e-3`), at `index` of `expression`; nil otherwise.
  func evaluateNumber(_ expression: Expression, _ index: Int) -> Double? {
    var sign = 1.0
    var current = index
    while true {
      switch expression.nodes[current].kind {
      case .number(let x): return sign * x
      case .name(let name):
        // A function's parameter given a number (`units` in `dense(x, units, relu)`).
        guard !namePrefix.isEmpty, let node = scope[name]?.node,
          let value = builder[node].constantValue, value.isScalar
        else { return nil }
        return sign * value.scalars[0]
      case .unary(let op, let operand):
        if op == "-" { sign = -sign }
        current = operand
      default: return nil
      }
    }
  }

  /// Evaluates a literal: a number, or nested lists of numbers, with optional signs. Reports an
  /// error and returns nil for anything else or for ragged lists.
  mutating func evaluateLiteral(_ expression: Expression, root: Int? = nil) -> Tensor? {
    let rootIndex = root ?? expression.root
    let start = expression.nodes[rootIndex].subtreeStart
    if let load = (start...rootIndex).first(where: { isLoad(expression, root: $0) }) {
      diagnostics.add(
        .loadUsage(
          "'load' gives a parameter its starting value, in its declaration",
          at: expression.nodes[load].range))
      return nil
    }
    var values: [Int: Tensor] = [:]
    for index in start...rootIndex {
      let node = expression.nodes[index]
      switch node.kind {
      case .number(let x):
        values[index] = Tensor(x)
      case .numberList(let shape, let scalars):
        values[index] = Tensor(shape: shape, scalars: scalars)
      case .unary(let op, let operand):
        guard let x = values[operand] else { return nil }
        values[index] = op == "-" ? x.map { -$0 } : x
      case .list(let elements):
        let items = elements.compactMap { values[$0] }
        guard items.count == elements.count, let first = items.first else { return nil }
        guard items.allSatisfy({ $0.shape == first.shape }) else {
          diagnostics.add(.raggedMatrix(at: node.range))
          return nil
        }
        values[index] = Tensor(
          shape: [items.count] + first.shape, scalars: items.flatMap(\.scalars))
      case .string:
        diagnostics.add(
          .loadUsage("a string is only a file or tensor name in 'load'", at: node.range))
        return nil
      default:
        diagnostics.add(.notALiteral(at: node.range))
        return nil
      }
    }
    return values[rootIndex]
  }
}
