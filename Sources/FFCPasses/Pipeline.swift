import FFCIR

/// The standard pipelines of `ffc compile`.
public enum Pipeline {
  /// Stabilise the forward graph, Differentiate (when asked), then fold, simplify and merge to a
  /// fixed point, then drop what is dead. `optimize: false` (-O0) runs Differentiate alone.
  /// `order: 2` adds the Hessian-vector products after Differentiate.
  public static func standard(differentiate: Bool, optimize: Bool, order: Int = 1) -> PassManager {
    var manager = PassManager()
    // Stabilise first: the gradient is then built from the stable forms.
    if optimize { manager.add(Stabilize()) }
    manager.add(UnstableLint())
    if differentiate { manager.add(Differentiate()) }
    if differentiate && order >= 2 { manager.add(HessianVectorProducts()) }
    if optimize {
      manager.addFixedPoint([
        ConstantFolding(), AlgebraicSimplification(), CommonSubexpressionElimination(),
      ])
      manager.add(DeadCodeElimination())
    }
    return manager
  }
}

extension Pipeline {
  /// What runs on a graph about to be planned for execution (run, train, check, bench): fusion
  /// of elementwise chains, then the nodes fusion left without a reader (absorbed broadcasts,
  /// inlined constants) are dropped. `keep`: values the caller reads besides the roots.
  public static func execution(keep: [NodeID] = []) -> PassManager {
    var manager = PassManager()
    manager.add(ElementwiseFusion(keep: keep))
    manager.add(DeadCodeElimination())
    return manager
  }
}
