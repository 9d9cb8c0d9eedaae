/// The options only `ffc export` takes.
extension Option where Value == Bool {
  static let exportGradient = Option(
    flag: "--grad",
    help: """
      also output the loss (by its program name) and the gradient of the loss
      for every parameter (grad.<param>), computed as ffc's optimised
      gradient graph computes them, node by node
      """)

  static let trainStep = Option(
    flag: "--train-step",
    help: """
      also output every parameter after one SGD step (<param>.next = <param>
      - lr * grad.<param>; implies --grad); the parameters and 'lr' become
      inputs too, defaulting to their values, so the step can be fed its
      own results
      """)
}
