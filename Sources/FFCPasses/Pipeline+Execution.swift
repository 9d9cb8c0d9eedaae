import FFCIR

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

extension PassManager {
  /// Runs `other`'s stages after this manager's own.
  public mutating func append(_ other: PassManager) { stages += other.stages }
}
