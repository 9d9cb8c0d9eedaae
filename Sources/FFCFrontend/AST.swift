import FFCDiagnostics

/// One node of an expression. Expressions are stored flat, children before parents (postorder), so
/// every later stage walks them with a loop: nesting depth never becomes recursion depth.
public struct ExpressionNode: Sendable {
  public enum Kind: Sendable {
    case number(Double)
    /// `"weights.safetensors"`: only a file name, in `load(...)`.
    case string(String)
    case name(String)
    /// `base.member`: `W.T` (transpose) or a layer's parameter `h1.W`.
    case member(base: Int, member: String)
    case unary(op: String, operand: Int)
    case binary(op: String, lhs: Int, rhs: Int)
    case call(callee: String, arguments: [Argument])
    case index(base: Int, indices: [Int])
    case list(elements: [Int])
    /// A list of numbers, or of equally long rows of numbers, where the value is read as a literal
    /// (a declaration's value, a keyword argument): read at once, row-major, with no node per
    /// number, so a literal of millions of numbers costs about its values. It means what the same
    /// `.list` of (signed) numbers means.
    case numberList(shape: [Int], values: [Double])
  }

  public struct Argument: Sendable {
    public let label: String?
    public let labelRange: SourceRange?
    public let value: Int
  }

  public let kind: Kind
  /// The whole expression's span.
  public let range: SourceRange
  /// The operator or callee, where the caret goes.
  public let focus: SourceRange
  /// Index of the first node of this node's subtree: a subtree is the contiguous run
  /// `subtreeStart...self`.
  public let subtreeStart: Int
}

public struct Expression: Sendable {
  public var nodes: [ExpressionNode]
  public var root: Int { nodes.count - 1 }
  public var range: SourceRange { nodes[root].range }
}

public struct DimensionSyntax: Sendable {
  public enum Kind: Sendable {
    case number(Int)
    case symbol(String)
  }
  public let kind: Kind
  public let range: SourceRange
}

public enum Statement: Sendable {
  /// `input X[N, 3]`, `param W[3, 8] = he`, `const c = 2`
  case declaration(
    kind: String, name: String, nameRange: SourceRange, shape: [DimensionSyntax]?,
    value: Expression?)
  /// `h1 = relu(W1 @ x)`
  case assignment(name: String, nameRange: SourceRange, value: Expression)
  /// `output o, p` or `output o = expr`
  case output(names: [(String, SourceRange)], value: Expression?)
  /// `loss L = expr` or `loss L`
  case loss(name: String, nameRange: SourceRange, value: Expression?)
  /// A statement that defined `name` but failed to parse: the name is known, without a value, so
  /// its uses report nothing more.
  case invalid(name: String, nameRange: SourceRange)
  /// `def block(x, units) { ... return h + x }`: a function, inlined at each call.
  case function(FunctionDefinition)
  /// `return expr`: the last statement of a function's body.
  case returnValue(Expression)
  /// `derivative(g) = e1, e2`: the backward a function states, after its `return`.
  case derivative(DerivativeClause)
}

/// `derivative(g) = e1, ..., en` or `derivative(g, y) exact = ...`: the derivative a function
/// states for itself (as `jax.custom_vjp`), one expression per parameter (`0`: none flows to it),
/// in terms of the parameters, the body's values, the incoming gradient `g` and the result `y`.
public struct DerivativeClause: Sendable {
  public let keywordRange: SourceRange
  public let gradient: (name: String, range: SourceRange)
  public let result: (name: String, range: SourceRange)?
  /// Declared the true derivative: `ffc check` compares it with finite differences.
  public let exact: Bool
  public let values: [Expression]
}

/// A function's definition: its parameters (values or numbers, by position) and its body, whose
/// `param`s and `dense` layers are made anew at every call.
public struct FunctionDefinition: Sendable {
  public let name: String
  public let nameRange: SourceRange
  public let parameters: [(name: String, range: SourceRange)]
  public let body: [(statement: Statement, range: SourceRange)]
  /// The whole definition, `def` to `}`.
  public let range: SourceRange
  /// The `derivative` clause that follows the `return`, and its line's range.
  public var derivative: (clause: DerivativeClause, range: SourceRange)?
}

public struct Program: Sendable {
  public var statements: [(statement: Statement, range: SourceRange)]
}
