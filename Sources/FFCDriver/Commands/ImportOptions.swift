import FFCFormats

/// The options only `ffc import` takes.
extension Option where Value == ImportedLoss? {
  static let importLoss = Option(
    "--loss", placeholder: "mse|cross_entropy", expected: "mse or cross_entropy", default: nil,
    help: """
      add a loss on the model's first output, so the program has a gradient:
      mse (against a target 'y' of the output's shape) or cross_entropy
      (softmax cross-entropy of the output as logits against labels 'y')
      """, read: { ImportedLoss(rawValue: $0) })
}
