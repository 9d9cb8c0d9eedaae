import FFCRuntime

/// `train`'s flags, checked: a value out of range is a usage error naming the flag.
struct TrainSettings {
  var optimizer: OptimizerSettings
  var epochs = 10
  var batch: Int?
  var seed: UInt64 = 0
  var split: Double?
  var precision = "f32"
  var quiet = false
  var checkNumerics = false

  init(_ args: ArgumentScanner, usage: String) throws(UsageError) {
    func number(_ flag: String, _ valid: (Double) -> Bool, _ expected: String) throws(UsageError)
      -> Double?
    {
      guard let text = args.value(flag) else { return nil }
      guard let value = Double(text), value.isFinite, valid(value) else {
        throw UsageError(
          "'\(text)' is not a valid value for '\(flag)'; expected \(expected)", usage: usage,
          helpTopic: TrainCommand.name)
      }
      return value
    }
    func count(_ flag: String) throws(UsageError) -> Int? {
      guard let text = args.value(flag) else { return nil }
      guard let value = Int(text), value >= 1, value <= 1_000_000_000 else {
        throw UsageError(
          "'\(text)' is not a valid value for '\(flag)'; expected a whole number from 1",
          usage: usage, helpTopic: TrainCommand.name)
      }
      return value
    }
    let kindName =
      try args.choice(
        "--optimizer", ["sgd", "momentum", "adam"], command: TrainCommand.name, usage: usage)
      ?? "sgd"
    let kind: OptimizerKind
    switch kindName {
    case "momentum":
      kind = .momentum(
        try number("--momentum", { $0 >= 0 && $0 < 1 }, "a number from 0 to below 1") ?? 0.9)
    case "adam":
      kind = .adam(
        beta1: try number("--beta1", { $0 >= 0 && $0 < 1 }, "a number from 0 to below 1") ?? 0.9,
        beta2: try number("--beta2", { $0 >= 0 && $0 < 1 }, "a number from 0 to below 1") ?? 0.999,
        epsilon: try number("--epsilon", { $0 > 0 }, "a number above 0") ?? 1e-8)
    default:
      kind = .sgd
    }
    for flag in ["--momentum", "--beta1", "--beta2", "--epsilon"] where args.value(flag) != nil {
      let owner = flag == "--momentum" ? "momentum" : "adam"
      guard owner == kindName else {
        throw UsageError(
          "'\(flag)' is an option of '--optimizer \(owner)'", usage: usage,
          helpTopic: TrainCommand.name)
      }
    }
    let rate =
      try number("--lr", { $0 > 0 }, "a number above 0") ?? (kindName == "adam" ? 0.001 : 0.01)
    let decay = try number("--weight-decay", { $0 >= 0 }, "a number from 0") ?? 0
    optimizer = OptimizerSettings(kind: kind, learningRate: rate, weightDecay: decay)
    epochs = try count("--epochs") ?? 10
    batch = try count("--batch")
    split = try number("--split", { $0 > 0 && $0 < 1 }, "a fraction between 0 and 1, such as 0.8")
    if split != nil && args.value("--val") != nil {
      throw UsageError(
        "give '--split' or '--val', not both", usage: usage, helpTopic: TrainCommand.name)
    }
    if let text = args.value("--seed") {
      guard let value = UInt64(text) else {
        throw UsageError(
          "'\(text)' is not a valid value for '--seed'; expected a whole number ≥ 0", usage: usage,
          helpTopic: TrainCommand.name)
      }
      seed = value
    }
    precision =
      try args.choice("--precision", ["f32", "f64"], command: TrainCommand.name, usage: usage)
      ?? "f32"
    _ = try args.choice(
      "--color", ["auto", "always", "never"], command: TrainCommand.name, usage: usage)
    quiet = args.has("--quiet")
    checkNumerics = args.has("--check-numerics")
  }

  /// `adam, lr 0.001, batch 32, f32`
  var summary: String {
    "\(optimizer.kind.name), lr \(optimizer.learningRate), batch \(batch.map(String.init) ?? "all"), \(precision)"
      + (optimizer.weightDecay > 0 ? ", weight decay \(optimizer.weightDecay)" : "")
  }
}
