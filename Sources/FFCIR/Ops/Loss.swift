import FFCTensor
import Foundation

extension Op {
  /// The cross-entropy of softmax(logits) against class labels, averaged over the rows:
  /// logits [K] with a scalar label, logits [N, K] with labels [N], or any leading axes
  /// ([N, T, K] with [N, T]), the classes always last. Computed from log_softmax,
  /// so it is finite for any finite logits; its gradient is softmax(z) − onehot(y), never a
  /// division by a probability.
  public static let softmaxCrossEntropy: Op = Op(
    name: "softmax_cross_entropy", arity: 2,
    inferShape: { shapes, _ in
      let (z, y) = (shapes[0], shapes[1])
      guard z.rank >= 1, y.dims == Array(z.dims.dropLast()) else {
        throw ShapeError(
          "'softmax_cross_entropy' needs logits [K] with a scalar label, or logits [N, K] with labels [N] (any leading axes: [N, T, K] with [N, T]); got \(z) and \(y)"
        )
      }
      guard z.dims.last?.value != nil else {
        throw ShapeError("'softmax_cross_entropy' needs a fixed number of classes, got logits \(z)")
      }
      return .scalar
    },
    evaluate: { inputs, _, _ in
      let (z, y) = (inputs[0], inputs[1])
      let classes = z.shape.last ?? 1
      let logProbabilities = Kernels.logSoftmax(z, axis: z.rank - 1)
      let picked = logProbabilities.zip(Kernels.oneHot(y, classes: classes).map { $0 }) { $0 * $1 }
      let rows = Double(Swift.max(1, y.count))
      return Tensor(-picked.scalars.reduce(0) { $0 + ($1.isNaN ? .nan : $1) } / rows)
    },
    vjp: { c in
      let (z, labels) = (c.inputs[0], c.inputs[1])
      let classes = z.shape.dims.last?.value ?? 1
      let oneHot = labels.apply(Op.oneHot, Attributes([("classes", .int(classes))]))
      let probabilities = z.apply(Op.softmax, Attributes([("axis", .int(z.rank - 1))]))
      return [(probabilities - oneHot) * (c.g / labels.size()), nil]
    },
    jvp: scalarOutputJVP,
    call: CallSignature(["softmax_cross_entropy", "cross_entropy"], tensors: 2),
    samples: [
      OpSample([[3], []], domains: [.any, .classIndex(3)]),
      OpSample([[4, 3], [4]], domains: [.any, .classIndex(3)]),
      OpSample([[2, 2, 3], [2, 2]], domains: [.any, .classIndex(3)]),
    ],
    classLabels: { shapes, _ in shapes[0].dims.last?.value.map { (operand: 1, classes: $0) } },
    range: { _, _, _ in .nonnegative },
    classification: ClassificationLoss(logits: 0, labels: 1, prediction: .largestLogit))

  /// Binary cross-entropy of sigmoid(logits) against targets in [0, 1], averaged over all
  /// elements, computed as max(z, 0) − z·t + log(1 + exp(−|z|)): finite for any finite logits.
  public static let sigmoidCrossEntropy: Op = Op(
    name: "sigmoid_cross_entropy", arity: 2,
    inferShape: { shapes, _ in
      guard shapes[0] == shapes[1] else {
        throw ShapeError(
          "'sigmoid_cross_entropy' needs logits and targets of one shape, got \(shapes[0]) and \(shapes[1])"
        )
      }
      return .scalar
    },
    evaluate: { inputs, _, _ in
      let losses = inputs[0].zip(inputs[1]) { z, t in
        Swift.max(z, 0) - z * t + Foundation.log1p(Foundation.exp(-Swift.abs(z)))
      }
      return Tensor(losses.scalars.reduce(0, +) / Double(Swift.max(1, losses.count)))
    },
    vjp: { c in
      let (z, t) = (c.inputs[0], c.inputs[1])
      let scale = c.g / z.size()
      return [(z.apply(Op.sigmoid) - t) * scale, -(z * scale)]
    },
    jvp: scalarOutputJVP,
    call: CallSignature(["sigmoid_cross_entropy", "binary_cross_entropy"], tensors: 2),
    samples: [OpSample([[3], [3]]), OpSample([[2, 2], [2, 2]])],
    range: { _, _, _ in .nonnegative },
    classification: ClassificationLoss(logits: 0, labels: 1, prediction: .positiveLogit))

  /// Class labels as rows of a one-hot matrix. Attribute: classes. Labels are data: no gradient.
  public static let oneHot: Op = Op(
    name: "one_hot", arity: 1, traits: .boundedOutput,
    inferShape: { shapes, attributes in
      let classes = attributes.int("classes")
      guard classes >= 1 else {
        throw ShapeError("'one_hot' needs at least one class, got \(classes)")
      }
      return Shape(shapes[0].dims + [.fixed(classes)])
    },
    evaluate: { inputs, attributes, _ in
      Kernels.oneHot(inputs[0], classes: attributes.int("classes"))
    },
    vjp: { _ in [nil] }, jvp: { _ in nil },
    call: CallSignature(["one_hot"], tensors: 1, options: [CallOption("classes", required: true)]) {
      options, _ in
      let classes = options["classes"] ?? 0
      guard classes >= 1, classes == classes.rounded(), classes < 1e9 else {
        throw ShapeError(
          "'one_hot' needs a whole number of classes, got \(TensorFormat.number(classes))")
      }
      return Attributes([("classes", .int(Int(classes)))])
    },
    samples: [OpSample([[4]], Attributes([("classes", .int(3))]), domains: [.classIndex(3)])],
    classLabels: { _, attributes in (operand: 0, classes: attributes.int("classes")) },
    range: { _, _, _ in .unit })

  static let lossOps: [Op] = [softmaxCrossEntropy, sigmoidCrossEntropy, oneHot]
}

extension Composite {
  /// mse(prediction, target) = mean((prediction − target)²)
  public static let mse = Composite(
    "mse", tensors: 2, summary: "mean((a - b)^2)", comparesElements: true
  ) { v in
    (v[0] - v[1]).apply(Op.square).mean()
  }
  /// sse(prediction, target) = Σ (prediction − target)²
  public static let sse = Composite(
    "sse", tensors: 2, summary: "sum((a - b)^2)", comparesElements: true
  ) { v in
    (v[0] - v[1]).apply(Op.square).sum()
  }
}
