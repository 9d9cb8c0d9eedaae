/// How the .ffn language writes an op between its two operands: `a + b`, `a @ b`, `a ** b`.
public struct InfixSpelling: Sendable {
  /// The symbols that spell it (`^` and `**` both spell pow).
  public let symbols: [String]
  /// Binding strength, higher binds tighter: `+` 1, `*` 2, `**` 4 (unary minus sits at 3, so
  /// `-x**2` is `-(x**2)` and `-a * b` is `(-a) * b`, as in numpy).
  public let precedence: Int
  /// `a ^ b ^ c` is `a ^ (b ^ c)`; otherwise operators of one precedence group to the left.
  public let rightAssociative: Bool

  public init(_ symbols: [String], precedence: Int, rightAssociative: Bool = false) {
    self.symbols = symbols
    self.precedence = precedence
    self.rightAssociative = rightAssociative
  }
}

extension OpRegistry {
  /// Each infix symbol and the op it spells, in registry order.
  public static let infix: [(symbol: String, op: Op, spelling: InfixSpelling)] =
    all.flatMap { op in
      (op.infix.map { spelling in spelling.symbols.map { ($0, op, spelling) } }) ?? []
    }

  /// The op an infix symbol spells, with its precedence.
  public static func infixOp(_ symbol: String) -> (op: Op, spelling: InfixSpelling)? {
    infix.first { $0.symbol == symbol }.map { ($0.op, $0.spelling) }
  }
}
