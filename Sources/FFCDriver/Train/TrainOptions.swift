/// The options only `ffc train` takes.
extension Option where Value == String? {
  static let validation = Option(
    "--val", file: "<file.csv>", help: "validation data, evaluated after every epoch")
  static let save = Option(
    "--save", file: "<out.ffn>",
    help: """
      write the program with the learned parameters (small ones as literals,
      large ones in <out>.safetensors beside it, read by load(...); those a
      function's call made as override lines at the end, param h.7.z.W =
      ...); 'ffc run' and 'ffc train' read it like any program (written
      safely, also after Ctrl-C)
      """)
  static let log = Option(
    "--log", file: "<file.csv>",
    help: """
      write epoch,train_loss,train_accuracy,val_loss,val_accuracy,seconds, a
      line per epoch as training goes
      """)
  static let plot = Option(
    "--plot", file: "<file.svg>",
    help: """
      after training, draw the training and validation loss (and accuracy)
      per epoch as an SVG (as 'ffc plot' draws a --log file)
      """)
  static let checkpoint = Option(
    "--checkpoint", file: "<file>",
    help: """
      write what '--resume' needs to go on (parameters, optimizer state,
      shuffle, position) at the end of every epoch, and when stopped
      """)
  static let resume = Option(
    "--resume", file: "<file>",
    help: """
      go on with the run that wrote this checkpoint, up to --epochs counted
      from its start, as if it had never stopped (give the same settings)
      """)
}

/// The optimizers `--optimizer` chooses from.
enum OptimizerChoice: String, CaseIterable, Sendable {
  case sgd, momentum, adam
}

extension Option where Value == OptimizerChoice {
  static let optimizer = Option(
    "--optimizer", choosing: "<name>", default: .sgd, help: "sgd (default), momentum or adam")
}

extension Option where Value == Double? {
  static let split = number(
    "--split", placeholder: "<f>", expected: "a fraction between 0 and 1, such as 0.8",
    help: """
      instead of --val: keep a seeded shuffle's first f of the rows (0 < f < 1)
      for training and hold out the rest for validation
      """
  ) { $0 > 0 && $0 < 1 }
  static let momentum = decayRate("--momentum", "<m>", help: "momentum's coefficient (default 0.9)")
  static let beta1 = decayRate(
    "--beta1", "<b>", help: "adam's decay rate of the first moment (default 0.9)")
  static let beta2 = decayRate(
    "--beta2", "<b>", help: "adam's decay rate of the second moment (default 0.999)")
  static let epsilon = positive("--epsilon", placeholder: "<e>", help: "adam's ε (default 1e-8)")
  static let weightDecay = number(
    "--weight-decay", placeholder: "<l>", expected: "a number from 0",
    help: "L2 weight decay, added to the gradient as l·θ (default 0)"
  ) { $0 >= 0 }

  private static func decayRate(_ name: String, _ placeholder: String, help: String) -> Self {
    number(name, placeholder: placeholder, expected: "a number from 0 to below 1", help: help) {
      $0 >= 0 && $0 < 1
    }
  }
}

extension Option where Value == Int? {
  static let epochs = count(
    "--epochs", from: 1, to: 1_000_000_000, help: "passes over the training rows (default 10)")
  static let batch = count(
    "--batch", from: 1, to: 1_000_000_000,
    help: "rows per step (default: all of them; 1 is stochastic gradient descent)")
  static let saveWeights = count(
    "--save-weights", from: 0,
    help: """
      with --save: parameters of at least n elements go to the safetensors
      file (default 4096; 0 puts every parameter there)
      """)
  static let checkpointEvery = count(
    "--checkpoint-every", from: 1,
    help: "write the checkpoint every n steps instead of every epoch")
}

extension Option where Value == Bool {
  static let quiet = Option(flag: "--quiet", help: "print only the summary at the end")
}
