/// Names users bring from JAX, optax, PyTorch and Keras, with ffc's spelling and, where the
/// meaning differs, what to write: an unknown function found here is answered with ffc's name,
/// not the nearest spelling.
enum ForeignNames {
  struct Entry {
    let name: String
    let ffc: String
    let note: String?
  }

  static let entries: [Entry] = [
    Entry(
      name: "sigmoid_binary_cross_entropy", ffc: "binary_cross_entropy",
      note:
        "optax's sigmoid_binary_cross_entropy gives one loss per element; ffc's binary_cross_entropy (alias sigmoid_cross_entropy) is their mean"
    ),
    Entry(
      name: "binary_cross_entropy_with_logits", ffc: "binary_cross_entropy",
      note: "ffc's binary_cross_entropy takes logits and averages, as PyTorch's does by default"),
    Entry(
      name: "softmax_cross_entropy_with_integer_labels", ffc: "cross_entropy",
      note:
        "ffc's cross_entropy takes logits and class indices and averages over the rows; optax's gives one loss per row"
    ),
    Entry(
      name: "sparse_categorical_crossentropy", ffc: "cross_entropy",
      note: "ffc's cross_entropy takes logits, not probabilities"),
    Entry(name: "sum_squared_error", ffc: "sse", note: "sse(p, t) is sum((p - t)^2)"),
    Entry(name: "squared_error", ffc: "sse", note: "sse(p, t) is sum((p - t)^2)"),
    Entry(name: "mean_squared_error", ffc: "mse", note: "mse(p, t) is mean((p - t)^2)"),
    Entry(name: "mse_loss", ffc: "mse", note: "mse(p, t) is mean((p - t)^2)"),
    Entry(name: "l2_loss", ffc: "sse", note: "optax's l2_loss is half of it: 0.5 * sse(p, t)"),
    Entry(name: "reduce_sum", ffc: "sum", note: nil),
    Entry(name: "reduce_mean", ffc: "mean", note: nil),
    Entry(name: "reduce_max", ffc: "max", note: nil),
    Entry(name: "amax", ffc: "max", note: nil),
    Entry(name: "view", ffc: "reshape", note: nil),
    Entry(name: "dot", ffc: "matmul", note: "or the operator '@'"),
    Entry(name: "mm", ffc: "matmul", note: "or the operator '@'"),
    Entry(
      name: "linear", ffc: "dense", note: "h = dense(x, units, activation) declares h.W and h.b"),
    Entry(
      name: "Dense", ffc: "dense", note: "h = dense(x, units, activation) declares h.W and h.b"),
  ]

  static func entry(_ name: String) -> Entry? { entries.first { $0.name == name } }
}
