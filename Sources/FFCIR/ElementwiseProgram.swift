import FFCTensor

/// The small expression a `fused` node computes, element by element: a list of elementwise op
/// applications in evaluation order, the last of which is the node's value. Flat (not a tree), so
/// neither building, printing nor running it recurses, however long the fused chain.
public struct ElementwiseProgram: Hashable, Sendable, CustomStringConvertible {
  /// What a step reads: an operand of the fused node (read with its strides when smaller than
  /// the output), an earlier step's value, or a literal.
  public enum Operand: Hashable, Sendable {
    case input(Int)
    case step(Int)
    case literal(Double)

    public static func == (a: Operand, b: Operand) -> Bool {
      switch (a, b) {
      case (.input(let x), .input(let y)), (.step(let x), .step(let y)): x == y
      case (.literal(let x), .literal(let y)): x.bitPattern == y.bitPattern
      default: false
      }
    }

    public func hash(into hasher: inout Hasher) {
      switch self {
      case .input(let x):
        hasher.combine(0)
        hasher.combine(x)
      case .step(let x):
        hasher.combine(1)
        hasher.combine(x)
      case .literal(let x):
        hasher.combine(2)
        hasher.combine(x.bitPattern)
      }
    }

    public var inputIndex: Int? {
      if case .input(let i) = self { return i }
      return nil
    }
  }

  public struct Step: Hashable, Sendable {
    public let op: Op
    public let operands: [Operand]
    public let attributes: Attributes

    public init(_ op: Op, _ operands: [Operand], _ attributes: Attributes = .none) {
      self.op = op
      self.operands = operands
      self.attributes = attributes
    }

    public static func == (a: Step, b: Step) -> Bool {
      a.op === b.op && a.operands == b.operands && a.attributes == b.attributes
    }

    public func hash(into hasher: inout Hasher) {
      hasher.combine(op.name)
      hasher.combine(operands)
      hasher.combine(attributes)
    }
  }

  public let steps: [Step]

  public init(_ steps: [Step]) { self.steps = steps }

  /// How many steps read each step's value.
  public var readers: [Int] {
    var counts = [Int](repeating: 0, count: steps.count)
    for step in steps {
      for case .step(let k) in step.operands { counts[k] += 1 }
    }
    return counts
  }

  /// `tanh(add(#0, #1))`: steps read once are written inside their reader; a step read more than
  /// once, or whose text grew long (a chain of thousands of ops), is named first
  /// (`$2 = mul(#0, #1); add($2, $2)`), so the text stays linear in size.
  public var description: String {
    let readers = self.readers
    var texts: [String] = []
    var bindings: [String] = []
    for (index, step) in steps.enumerated() {
      let operands = step.operands.map { operand -> String in
        switch operand {
        case .input(let i): "#\(i)"
        case .step(let k): texts[k]
        case .literal(let x): TensorFormat.number(x)
        }
      }
      let attributes = step.attributes.isEmpty ? "" : "[\(step.attributes.text)]"
      let text = "\(step.op.name)\(attributes)(\(operands.joined(separator: ", ")))"
      if readers[index] > 1 || text.utf8.count > 160 {
        bindings.append("$\(index) = \(text)")
        texts.append("$\(index)")
      } else {
        texts.append(text)
      }
    }
    return (bindings + [texts.last ?? ""]).joined(separator: "; ")
  }
}
