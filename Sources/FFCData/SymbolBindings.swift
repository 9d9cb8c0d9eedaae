import FFCIR

/// Checks that every shape symbol (`N`) has one size across all the data of a run.
public enum SymbolBindings {
  /// The size of each symbol, in the order met: from the CSV data set (its batch axis is the row
  /// count), then from the --set values, then, when there is no data set, from the defaults of the
  /// data declarations that no --set gives. Two different sizes for one symbol are an error
  /// (`set.symbol`): "--set X makes 'N' = 4, but the data has 150 rows". A symbol nothing binds
  /// is simply absent: the caller decides whether that is an error.
  public static func resolve(
    graph: Graph, sets: [(name: String, value: Tensor)], data: DataSet?
  ) throws(Diagnostic) -> [(symbol: String, size: Int)] {
    var table = data?.symbolTable ?? SymbolTable()
    for set in sets {
      guard let declaration = graph.declarations.first(where: { $0.name == set.name }) else {
        continue
      }
      let subject = "--set \(set.name)"
      if let conflict = table.unify(
        declaration.shape, set.value.shape, name: set.name, subject: subject)
      {
        throw .setSymbol(conflict)
      }
    }
    if data == nil {
      for declaration in graph.declarations where declaration.kind.isData {
        guard !sets.contains(where: { $0.name == declaration.name }),
          let shape = declaration.defaultShape
        else { continue }
        let subject = "the default of '\(declaration.name)'"
        if let conflict = table.unify(
          declaration.shape, shape, name: declaration.name, subject: subject)
        {
          throw .setSymbol(conflict)
        }
      }
    }
    return table.bindings
  }
}
