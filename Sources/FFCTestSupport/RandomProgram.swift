import FFCIR
import FFCTensor

/// Seeded random `.ffn` programs for the differential and fuzz tests: one to three parameters
/// (scalars and small vectors of one length) whose values sit on the edges of the ops' domains
/// (0, ±1e-3, negatives under sqrt and log, 1e3 under exp), then a chain of named values built
/// from the registry's elementwise ops, selections with a 0 branch, reductions and infix
/// arithmetic, some marked as outputs, and a loss. Every program lowers; what it computes may be
/// inf or NaN, which is the point: every optimisation level and the trace must agree on it.
public struct RandomProgram: CustomStringConvertible {
  public let text: String
  public var description: String { text }

  /// `smooth`: only ops that are smooth everywhere (no kinks, jumps, poles or overflow at the
  /// values drawn), for checking gradients against finite differences.
  public init(seed: UInt64, smooth: Bool = false) {
    var rng = SplitMix64(seed: seed &* 0xA24B_AED4_963E_E407 &+ 7)
    var writer = Writer(smooth: smooth)
    text = writer.program(&rng)
  }

  /// Elementwise ops the language calls by name with their tensors alone, from the registry.
  static let unary: [String] = callable(tensors: 1)
  static let binary: [String] = callable(tensors: 2)
  static let smoothUnary = ["tanh", "sigmoid", "softplus", "sin", "cos", "square", "neg"]
  static let infix = ["+", "-", "*", "/"]
  static let reductions = ["sum", "mean", "max"]
  /// Values where the ops change their behaviour: zeros, tiny and huge magnitudes, negatives.
  static let edgeValues: [Double] = [
    0, 1, -1, 0.5, -0.37, 2, 3, -2, 1e-3, -1e-3, 1e-30, 100, -100, 1e3, 1e10, -1e10, 0.999,
  ]
  static let smoothValues: [Double] = [0.3, -0.7, 1.1, 0.05, -1.3, 0.8, 2]

  static func callable(tensors: Int) -> [String] {
    OpRegistry.all.compactMap { op in
      guard op.traits.contains(.elementwise), !op.traits.contains(.executionOnly),
        let call = op.call, call.tensorCount == tensors,
        call.options.allSatisfy({ !$0.isRequired })
      else { return nil }
      return call.spellings.first
    }
  }

  private struct Writer {
    let smooth: Bool
    var lines: [String] = []
    /// Names defined so far, with whether each is a vector.
    var names: [(name: String, isVector: Bool)] = []
    var length = 3

    init(smooth: Bool) { self.smooth = smooth }

    mutating func program(_ rng: inout SplitMix64) -> String {
      length = 2 + Int(rng.next() % 2)
      let values = smooth ? RandomProgram.smoothValues : RandomProgram.edgeValues
      for index in 0..<(1 + Int(rng.next() % 3)) {
        let isVector = rng.next() % 3 != 0
        let name = "p\(index)"
        if isVector {
          let literal = (0..<length).map { _ in format(pick(values, &rng)) }
          lines.append("param \(name)[\(length)] = [\(literal.joined(separator: ", "))]")
        } else {
          lines.append("param \(name) = \(format(pick(values, &rng)))")
        }
        names.append((name, isVector))
      }
      for index in 0..<(2 + Int(rng.next() % 6)) {
        let (expression, isVector) = self.expression(&rng, depth: 0)
        let name = "t\(index)"
        let marked = rng.next() % 4 == 0 ? "output " : ""
        lines.append("\(marked)\(name) = \(expression)")
        names.append((name, isVector))
      }
      let last = names[names.count - 1]
      let other = pick(names, &rng)
      lines.append("loss L = sum(\(last.name)) + sum(\(other.name))")
      return lines.joined(separator: "\n") + "\n"
    }

    mutating func expression(_ rng: inout SplitMix64, depth: Int) -> (String, Bool) {
      let choice = depth >= 2 ? 0 : rng.next() % 10
      switch choice {
      case 0, 1:
        let operand = pick(names, &rng)
        return (operand.name, operand.isVector)
      case 2, 3:
        let (a, vector) = expression(&rng, depth: depth + 1)
        let ops = smooth ? RandomProgram.smoothUnary : RandomProgram.unary
        return ("\(pick(ops, &rng))(\(a))", vector)
      case 4, 5:
        let (a, va) = expression(&rng, depth: depth + 1)
        let (b, vb) = expression(&rng, depth: depth + 1)
        let ops = smooth ? ["+", "-", "*"] : RandomProgram.infix
        return ("(\(a) \(pick(ops, &rng)) \(b))", va || vb)
      case 6 where !smooth:
        let (a, va) = expression(&rng, depth: depth + 1)
        let (b, vb) = expression(&rng, depth: depth + 1)
        return ("\(pick(RandomProgram.binary, &rng))(\(a), \(b))", va || vb)
      case 7 where !smooth, 8 where !smooth:
        // A selection, mostly with a 0 branch (the NaN-safe idiom and its products).
        let (c, vc) = expression(&rng, depth: depth + 1)
        let (a, va) = expression(&rng, depth: depth + 1)
        let zeroFirst = rng.next() % 3 == 0
        let zero = rng.next() % 4 == 0 ? expression(&rng, depth: depth + 1) : ("0", false)
        let branches = zeroFirst ? "\(zero.0), \(a)" : "\(a), \(zero.0)"
        return ("where(\(c), \(branches))", vc || va || zero.1)
      case 9:
        let (a, _) = expression(&rng, depth: depth + 1)
        let ops = smooth ? ["sum", "mean"] : RandomProgram.reductions
        return ("\(pick(ops, &rng))(\(a))", false)
      default:
        let constant = format(
          pick(smooth ? RandomProgram.smoothValues : RandomProgram.edgeValues, &rng))
        let (a, va) = expression(&rng, depth: depth + 1)
        return ("(\(a) * \(constant))", va)
      }
    }

    func pick<T>(_ items: [T], _ rng: inout SplitMix64) -> T {
      items[Int(rng.next() % UInt64(items.count))]
    }

    func format(_ x: Double) -> String {
      x == x.rounded() && Swift.abs(x) < 1e6 ? String(Int(x)) : "\(x)"
    }
  }
}
