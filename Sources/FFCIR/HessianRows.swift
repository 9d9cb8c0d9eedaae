import FFCTensor

/// The Hessian of a scalar with respect to one or several values, θ their flattened
/// concatenation in the order given: the gradient g = ∂L/∂θ by reverse mode, then for every
/// element g[k] its own gradient ∂g[k]/∂θ (one reverse pass reaches every value at once), a row
/// of the Hessian, flattened and placed at its offset in [n]. So n backward passes for n
/// elements: for the small parameters `ffc run --hessian` and `hessian(L, W1, b1)` are meant for.
public enum HessianRows {
  public static let maximumElements = 256

  public enum Failure: Error {
    /// A value, or all of them together (names joined by commas), has too many elements.
    case tooLarge(String, Int)
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
  /// `builder` (which holds the graph). The sizes must be known and n at most `maximumElements`.
  public static func rows(
    of output: NodeID, named outputName: String, wrt variables: [Variable], _ builder: GraphBuilder
  ) throws(Failure) -> [Value] {
    var sizes: [Int] = []
    for variable in variables {
      guard let count = variable.shape.elementCount, count <= maximumElements else {
        throw .tooLarge(variable.name, variable.shape.elementCount ?? Int.max)
      }
      sizes.append(count)
    }
    let n = sizes.reduce(0, +)
    guard n <= maximumElements else {
      throw .tooLarge(variables.map(\.name).joined(separator: ","), n)
    }
    let nodes = variables.map(\.node)
    do throws(ReverseMode.Failure) {
      let first = try ReverseMode.cotangents(
        of: output, named: outputName, wrt: nodes, nodes: builder.nodes, builder)
      var rows: [Value] = []
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
            concatenated(variables.map { second[$0.node.index] }, variables, sizes, builder))
        }
      }
      return rows
    } catch {
      throw .reverseMode(error)
    }
  }

  /// The pieces of one row (nil: zero), flattened and placed side by side in [n]: each vector of
  /// a piece along its last axis (the piece itself when it is one; a scalar is a vector of one)
  /// times a constant [m, n] matrix that holds the identity at the vector's offset. A single
  /// vector variable needs none: its piece is the row.
  static func concatenated(
    _ pieces: [NodeID?], _ variables: [Variable], _ sizes: [Int], _ builder: GraphBuilder
  ) -> Value {
    let n = sizes.reduce(0, +)
    var row: Value?
    var offset = 0
    for ((piece, variable), size) in zip(zip(pieces, variables), sizes) {
      defer { offset += size }
      guard let piece else { continue }
      let dims = variable.shape.dims.compactMap(\.value)
      if variables.count == 1 && dims.count == 1 {
        row = builder.value(piece)
        continue
      }
      let last = dims.last ?? 1
      for start in stride(from: 0, to: size, by: Swift.max(1, last)) {
        let prefix = Array(multiIndex(start, variable.shape).dropLast())
        var vector = builder.value(piece)
        if !prefix.isEmpty {
          vector = vector.apply(Op.index, Attributes([("indices", .ints(prefix))]))
        }
        var placement = [Double](repeating: 0, count: last * n)
        for i in 0..<last { placement[i * n + offset + start + i] = 1 }
        let placed =
          dims.isEmpty
          ? vector * builder.constant(Tensor(shape: [n], scalars: placement))
          : vector.matmul(builder.constant(Tensor(shape: [last, n], scalars: placement)))
        row = row.map { $0 + placed } ?? placed
      }
    }
    return row ?? builder.value(builder.filled(0, shape: Shape([n])))
  }

  /// The row-major index of element `flat` of `shape` (none for a scalar).
  public static func multiIndex(_ flat: Int, _ shape: Shape) -> [Int] {
    let sizes = shape.dims.compactMap(\.value)
    return zip(rowMajorStrides(sizes), sizes).map { flat / $0 % Swift.max(1, $1) }
  }
}
