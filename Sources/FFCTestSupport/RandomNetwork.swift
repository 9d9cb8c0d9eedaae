import FFCIR
import FFCTensor

/// Seeded random networks for the property tests: random depth, widths, activations, loss, with
/// and without biases, in the batch-row convention (`X[N, d] @ W`, written out or with `dense`)
/// or one example as a column (`W @ x`), with data to feed them.
public struct RandomNetwork {
  public let text: String
  public let feeds: [String: Tensor]
  public let description: String

  static let activations = [
    "tanh", "sigmoid", "softplus", "relu", "leaky_relu", "sin", "abs", "hard_tanh", "",
  ]
  /// The ops' and composites' own names, and two losses written out (`half_sse`, `mean_abs`).
  static let losses = [
    Composite.mse.name, Composite.sse.name, "half_sse", Op.softmaxCrossEntropy.name,
    Op.sigmoidCrossEntropy.name, "mean_abs",
  ]

  public init(seed: UInt64) {
    var rng = SplitMix64(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ 1)
    func pick<T>(_ items: [T]) -> T { items[Int(rng.next() % UInt64(items.count))] }
    let depth = 1 + Int(rng.next() % 4)
    let batch = 1 + Int(rng.next() % 32)
    let perExample = rng.next() % 4 == 0
    let useDense = !perExample && rng.next() % 3 == 0
    let biases = rng.next() % 3 != 0
    let loss = pick(Self.losses)
    let classification = OpRegistry.byName[loss]?.classification?.prediction
    var widths = (0...depth).map { _ in 1 + Int(rng.next() % 6) }
    if classification == .largestLogit { widths[depth] = max(2, widths[depth]) }

    var lines: [String] = []
    var feeds: [String: Tensor] = [:]
    func data(_ shape: [Int], _ draw: () -> Double) -> Tensor {
      Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in draw() })
    }
    let rows: [Int] = perExample ? [] : [batch]
    let inputName = perExample ? "x" : "X"
    lines.append("input \(inputName)[\(perExample ? "" : "N, ")\(widths[0])]")
    feeds[inputName] = data(rows + [widths[0]]) { rng.uniform(-1.5, 1.5) }
    let out = widths[depth]
    let targetName: String
    switch classification {
    case .largestLogit:
      targetName = "labels"
      lines.append(perExample ? "label labels" : "label labels[N]")
      feeds[targetName] = data(rows) { Double(rng.next() % UInt64(out)) }
    case .positiveLogit:
      targetName = "T"
      lines.append("target T[\(perExample ? "" : "N, ")\(out)]")
      feeds[targetName] = data(rows + [out]) { rng.uniform(0, 1) }
    case nil:
      targetName = "T"
      lines.append("target T[\(perExample ? "" : "N, ")\(out)]")
      feeds[targetName] = data(rows + [out]) { rng.uniform(-1, 1) }
    }

    var previous = inputName
    var layers: [String] = []
    for layer in 1...depth {
      let (fanIn, fanOut) = (widths[layer - 1], widths[layer])
      let activation = layer == depth ? pick(["", "", "tanh", "sigmoid"]) : pick(Self.activations)
      let name = "h\(layer)"
      if useDense {
        let act = activation.isEmpty ? "" : ", \(activation)"
        lines.append("\(name) = dense(\(previous), \(fanOut)\(act)\(biases ? "" : ", bias=0"))")
      } else {
        let shape = perExample ? "[\(fanOut), \(fanIn)]" : "[\(fanIn), \(fanOut)]"
        lines.append("param W\(layer)\(shape) = normal(0, 0.8)")
        if biases { lines.append("param b\(layer)[\(fanOut)] = normal(0, 0.5)") }
        let product = perExample ? "W\(layer) @ \(previous)" : "\(previous) @ W\(layer)"
        let affine = biases ? "\(product) + b\(layer)" : product
        lines.append(
          activation.isEmpty ? "\(name) = \(affine)" : "\(name) = \(activation)(\(affine))")
      }
      layers.append(activation.isEmpty ? "linear" : activation)
      previous = name
    }
    lines.append("output \(previous)")
    switch loss {
    case "half_sse": lines.append("loss L = 0.5 * sse(\(previous), T)")
    case "mean_abs": lines.append("loss L = mean(abs(\(previous) - T))")
    default: lines.append("loss L = \(loss)(\(previous), \(targetName))")
    }
    text = lines.joined(separator: "\n") + "\n"
    self.feeds = feeds
    description =
      "seed \(seed): \(perExample ? "per-example" : "batch \(batch)")\(useDense ? " dense" : ""), widths \(widths), \(layers), \(loss)\(biases ? "" : ", no biases")"
  }
}
