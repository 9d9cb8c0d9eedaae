import FFCRuntime
import FFCTensor

/// `train`'s options, read and checked together: an option of another optimizer, or `--split`
/// with `--val`, is a usage error naming the flag.
struct TrainSettings {
  var optimizer: OptimizerSettings
  var epochs = 10
  var batch: Int?
  var seed: UInt64 = 0
  var split: Double?
  var precision = Precision.f32
  var quiet = false
  var checkNumerics = false
  /// `--checkpoint-every`: steps between checkpoints; nil writes one per epoch.
  var checkpointEvery: Int?

  init(_ args: ArgumentScanner, usage: String) throws(UsageError) {
    func mistake(_ message: String) -> UsageError {
      UsageError(message, usage: usage, helpTopic: TrainCommand.name)
    }
    let choice = args[.optimizer]
    let kind: OptimizerKind
    switch choice {
    case .sgd: kind = .sgd
    case .momentum: kind = .momentum(args[.momentum] ?? 0.9)
    case .adam:
      kind = .adam(
        beta1: args[.beta1] ?? 0.9, beta2: args[.beta2] ?? 0.999, epsilon: args[.epsilon] ?? 1e-8)
    }
    let owned: [(Option<Double?>, OptimizerChoice)] = [
      (.momentum, .momentum), (.beta1, .adam), (.beta2, .adam), (.epsilon, .adam),
    ]
    for (option, owner) in owned where args.given(option) && owner != choice {
      throw mistake("'\(option.key)' is an option of '\(Option.optimizer.key) \(owner)'")
    }
    let rate = args[.learningRate] ?? (choice == .adam ? 0.001 : 0.01)
    optimizer = OptimizerSettings(
      kind: kind, learningRate: rate, weightDecay: args[.weightDecay] ?? 0)
    epochs = args[.epochs] ?? 10
    batch = args[.batch]
    split = args[.split]
    if split != nil && args.given(.validation) {
      throw mistake("give '--split' or '--val', not both")
    }
    seed = args[.seed]
    precision = args[.precision]
    quiet = args[.quiet]
    checkNumerics = args[.checkNumerics]
    checkpointEvery = args[.checkpointEvery]
    if checkpointEvery != nil && !args.given(.checkpoint) {
      throw mistake("'--checkpoint-every' needs '--checkpoint <file>'")
    }
  }

  /// The settings a checkpoint records and a resumed run must repeat, as option and value:
  /// everything that changes the steps taken (not --epochs, which a resume extends).
  var resumed: [(String, String)] {
    var pairs = [("--optimizer", optimizer.kind.name)]
    switch optimizer.kind {
    case .sgd: break
    case .momentum(let mu): pairs.append(("--momentum", "\(mu)"))
    case .adam(let beta1, let beta2, let epsilon):
      pairs += [("--beta1", "\(beta1)"), ("--beta2", "\(beta2)"), ("--epsilon", "\(epsilon)")]
    }
    pairs += [
      ("--lr", "\(optimizer.learningRate)"), ("--weight-decay", "\(optimizer.weightDecay)"),
      ("--batch", batch.map(String.init) ?? "all"), ("--seed", "\(seed)"),
      ("--precision", "\(precision)"), ("--split", split.map { "\($0)" } ?? "none"),
    ]
    return pairs
  }

  /// `adam, lr 0.001, batch 32, f32`
  var summary: String {
    "\(optimizer.kind.name), lr \(optimizer.learningRate), batch \(batch.map(String.init) ?? "all"), \(precision)"
      + (optimizer.weightDecay > 0 ? ", weight decay \(optimizer.weightDecay)" : "")
  }
}
