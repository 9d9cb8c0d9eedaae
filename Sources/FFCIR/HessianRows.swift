import FFCTensor

/// The Hessian of a scalar with respect to one or several values, θ their flattened
/// concatenation in the order given: the gradient g = ∂L/∂θ by reverse mode, then for every
/// element g[k] its own gradient ∂g[k]/∂θ (one reverse pass reaches every value at once), a row
/// of the Hessian, flattened and placed at its offset in [n]. So n backward passes for n
/// elements, as many as the memory budget lets it build (`DerivativeBudget`): a Hessian of
/// millions of elements is refused with what it would take, not started.
public enum HessianRows {
  public enum Failure: Error {
    /// A value of unknown size (its name).
    case unknownSize(String)
    /// Building the rows would not fit in the budget: the values' names (joined by commas), their
    /// number of elements in all and the reason (`DerivativeBudget.refusal`).
    case overBudget(String, Int, String)
    case reverseMode(ReverseMode.Failure)
  }

  /// One value the Hessian differentiates with respect to.
  public struct Variable {
    public let node: NodeID
    public let name: String
    public let shape: Shape

    public init(node: NodeID, name: String, shape: Shape) {
      self.node = node
      self.name = name
      self.shape = shape
    }
  }

  /// The rows of the Hessian of `output` with respect to `wrt`, each a flat [n] value, built into
  /// `builder` (which holds the graph). The sizes must be known, and building the n rows must
  /// fit in `budget`.
  public static func rows(
    of output: NodeID, named outputName: String, wrt variables: [Variable],
    _ builder: GraphBuilder, budget: DerivativeBudget
  ) throws(Failure) -> [Value] {
    var sizes: [Int] = []
    for variable in variables {
      guard let count = variable.shape.elementCount else { throw .unknownSize(variable.name) }
      sizes.append(count)
    }
    let (n, overflow) = sizes.reduce((0, false)) { sum, size in
      let (total, over) = sum.0.addingReportingOverflow(size)
      return (total, sum.1 || over)
    }
    let names = variables.map(\.name).joined(separator: ",")
    if let reason = budget.refusal(
      passes: overflow ? Int.max : n, nodes: builder.nodes.count, width: n,
      result: DerivativeBudget.multiply(n, n), resultShape: "[\(n), \(n)]")
    {
      throw .overBudget(names, overflow ? Int.max : n, reason)
    }
    let nodes = variables.map(\.node)
    do throws(ReverseMode.Failure) {
      let first = try ReverseMode.cotangents(
        of: output, named: outputName, wrt: nodes, nodes: builder.nodes, builder)
      var rows: [Value] = []
      var placements: [Int: NodeID] = [:]
      for (variable, size) in zip(variables, sizes) {
        let gradient = builder.value(
          first[variable.node.index] ?? builder.filled(0, shape: variable.shape))
        for element in 0..<size {
          let g = gradient.apply(
            Op.index, Attributes([("indices", .ints(multiIndex(element, variable.shape)))]))
          let elementID: NodeID
          do throws(ShapeError) {
            elementID = try g.nodeID
          } catch {
            throw ReverseMode.Failure.illShapedRule(op: Op.index.name, message: error.message)
          }
          let second = try ReverseMode.cotangents(
            of: elementID, named: outputName, wrt: nodes, nodes: builder.nodes, builder)
          rows.append(
            concatenated(
              variables.map { second[$0.node.index] }, variables, sizes, builder,
              placements: &placements))
        }
      }
      return rows
    } catch {
      throw .reverseMode(error)
    }
  }

  /// The pieces of one row (nil: zero), flattened and placed side by side in [n]. A single
  /// variable's piece is the row, reshaped to [n]; with several, each flattened piece times a
  /// constant [m, n] matrix that holds the identity at the piece's offset, one matrix per variable
  /// made once for all rows (`placements`), so building n rows costs n matrices' hashing once,
  /// not once per row.
  static func concatenated(
    _ pieces: [NodeID?], _ variables: [Variable], _ sizes: [Int], _ builder: GraphBuilder,
    placements: inout [Int: NodeID]
  ) -> Value {
    let n = sizes.reduce(0, +)
    if variables.count == 1, let piece = pieces[0] {
      let row = builder.value(piece)
      return builder[piece].shape.rank == 1 ? row : row.reshape(to: Shape([n]))
    }
    var row: Value?
    var offset = 0
    for (index, (piece, size)) in zip(pieces, sizes).enumerated() {
      defer { offset += size }
      guard let piece else { continue }
      // A scalar's placement is the one-hot [n], by which it is multiplied.
      let scalar = variables[index].shape.rank == 0
      let placement =
        placements[index]
        ?? {
          var scalars = [Double](repeating: 0, count: size * n)
          for i in 0..<size { scalars[i * n + offset + i] = 1 }
          let node = builder.constantNode(
            Tensor(shape: scalar ? [n] : [size, n], scalars: scalars))
          placements[index] = node
          return node
        }()
      let value = builder.value(piece)
      let placed =
        scalar
        ? value * builder.value(placement)
        : (variables[index].shape.rank == 1 ? value : value.reshape(to: Shape([size])))
          .matmul(builder.value(placement))
      row = row.map { $0 + placed } ?? placed
    }
    return row ?? builder.value(builder.filled(0, shape: Shape([n])))
  }

  /// The row-major index of element `flat` of `shape` (none for a scalar).
  public static func multiIndex(_ flat: Int, _ shape: Shape) -> [Int] {
    let sizes = shape.dims.compactMap(\.value)
    return zip(rowMajorStrides(sizes), sizes).map { flat / $0 % Swift.max(1, $1) }
  }
}
