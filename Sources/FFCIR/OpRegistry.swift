/// Every op, by family. The language's function names, the printers, constant folding and the
/// gradient property tests all read this one table.
public enum OpRegistry {
  public static let all: [Op] =
    Op.leafOps + Op.unaryOps + Op.binaryOps + Op.reduceOps + Op.layoutOps + Op.matmulOps
    + Op.softmaxOps + Op.lossOps + Op.selectOps + Op.derivativeOps + Op.executionOps

  public static let composites: [Composite] = [.mse, .sse]

  public static let byName: [String: Op] = {
    var table: [String: Op] = [:]
    for op in all { table[op.name] = op }
    return table
  }()

  /// The language's spelling of each callable op (aliases included), in registry order.
  public static let callable: [(spelling: String, op: Op)] =
    all.flatMap { op in (op.call?.spellings ?? []).map { ($0, op) } }

  public static func callableOp(_ spelling: String) -> Op? {
    callable.first { $0.spelling == spelling }?.op
  }

  public static func composite(_ name: String) -> Composite? {
    composites.first { $0.name == name }
  }

  /// Ops whose derivative rule is tested against finite differences (not `stop_gradient`, whose
  /// derivative is zero by declaration, nor `custom_vjp`, whose derivative a function states).
  public static var differentiable: [Op] {
    all.filter {
      $0.vjp != nil && !$0.isLeaf
        && $0.traits.isDisjoint(with: [.stopsDerivative, .statedDerivative])
    }
  }
}
