/// The names printers give nodes: the user's name where it is unique (`%h1`, `%dL/dW1`), otherwise a
/// number assigned in print order (`%0`, `%1`). Derived from node order only, never from hashing, so
/// the same graph prints the same bytes in every process.
public struct PrintNames {
  public private(set) var names: [String]

  public init(_ graph: Graph) {
    names = []
    names.reserveCapacity(graph.nodes.count)
    var taken: [String: Int] = [:]
    var counter = 0
    for node in graph.nodes {
      if let name = node.name {
        let uses = taken[name, default: 0]
        taken[name] = uses + 1
        names.append(uses == 0 ? name : "\(name).\(uses + 1)")
      } else {
        names.append(String(counter))
        counter += 1
      }
    }
  }

  public subscript(id: NodeID) -> String { names[id.index] }
}

extension Graph {
  /// How a node is shown as an operand: a scalar constant inline (`2`), anything else by name.
  func operandText(_ id: NodeID, _ names: PrintNames) -> String {
    if let value = self[id].constantValue, value.isScalar {
      return TensorFormat.number(value.scalars[0])
    }
    return "%" + names[id]
  }

  /// Scalar constants are printed inline where they are used, not as lines of their own.
  func isInlineConstant(_ id: NodeID) -> Bool {
    self[id].constantValue?.isScalar ?? false
  }

  /// `op[attrs] %a, %b` for a node, with operand marks such as `.T` applied.
  public func operationText(_ node: Node, _ names: PrintNames) -> String {
    var operands = node.inputs.map { operandText($0, names) }
    var attributes = node.attributes
    for entry in node.attributes.entries {
      guard let mark = node.op.operandMarks[entry.key] else { continue }
      if case .bool(true) = entry.value, mark.operand < operands.count {
        operands[mark.operand] += mark.suffix
      }
      attributes[entry.key] = nil
    }
    let attributeText = attributes.isEmpty ? "" : "[\(attributes.summaryText)]"
    return node.op.name + attributeText
      + (operands.isEmpty ? "" : " " + operands.joined(separator: ", "))
  }
}
