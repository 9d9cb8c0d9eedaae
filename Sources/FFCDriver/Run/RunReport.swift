import FFCTensor

/// What `ffc run` computed, independent of how it is printed.
struct RunReport {
  struct Entry {
    /// The name shown: `o`, `L`, `dL/dW1`.
    let name: String
    let value: Tensor
  }

  /// One named value of `--trace`, in program order.
  struct TraceEntry {
    let name: String
    let value: Tensor
    /// The 1-based program line the value comes from, and that line's text.
    let line: Int?
    /// For a value a function's call made: the line of the outermost call.
    var callLine: Int? = nil
    let source: String?
    let isGradient: Bool
    /// The data row (1-based) for per-example programs run over a file.
    let row: Int?
  }

  var precision: Precision
  /// Data rows, when the values came from a file.
  var rows: Int?
  /// How per-example losses and gradients were combined over the rows (`mean` or `sum`).
  var reduction: String?
  var outputs: [Entry] = []
  var loss: Entry?
  var gradients: [Entry] = []
  /// `--hessian W`: the Hessian of the loss with respect to W, flattened to [n, n].
  var hessian: Entry?
  var trace: [TraceEntry] = []
  /// `--emit dot`: every node's value, by node index, from the first run.
  var nodeValues: [Tensor]?

  /// A result in its precision's shortest exact form; a zero prints as 0 whatever its sign (a
  /// gradient of -0 is a zero the sign of which says nothing to the reader).
  func number(_ x: Double) -> String {
    TensorFormat.number(x == 0 ? 0 : x, in: precision)
  }
}
