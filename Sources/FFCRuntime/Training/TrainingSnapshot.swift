import FFCIR

/// Where a run is between two steps: what a checkpoint stores so that a resumed run goes on as if
/// it had never stopped. The shuffle is redrawn at the start of every epoch from `random` (a
/// SplitMix64 state) and the previous epoch's `order`, so both are kept.
public struct TrainingPosition: Sendable, Equatable {
  /// Epochs finished.
  public var epochsDone = 0
  /// Steps taken and rows used in the current epoch (0 and 0 before it starts).
  public var stepsInEpoch = 0
  public var rowsInEpoch = 0
  /// The current epoch's shuffle of the training rows.
  public var order: [Int]
  public var random: UInt64
  /// The current epoch's sums so far: the loss over its rows and the accuracy counts.
  public var lossTotal = 0.0
  public var correct = 0
  public var total = 0
  /// Time spent in the current epoch before the run stopped (reported, never compared).
  public var secondsInEpoch = 0.0
  /// The finished epochs' figures, so that a resumed run's log is the whole run's.
  public var reports: [EpochReport] = []

  public init(order: [Int], random: UInt64) {
    self.order = order
    self.random = random
  }

  mutating func startEpoch() {
    (stepsInEpoch, rowsInEpoch, lossTotal, correct, total, secondsInEpoch) = (0, 0, 0, 0, 0, 0)
  }
}

/// Everything a checkpoint holds of a run: the parameters (in the gradients' order), the
/// optimizer's state and the position. A trainer's snapshot reads the parameters from its buffers
/// when they are read (`values`), so writing a checkpoint copies no model; it is meant to be
/// written at once (training on changes what it reads). Equal when every field is, the
/// parameters bit for bit.
public struct TrainingSnapshot: Sendable, Equatable {
  /// The parameters' values, read chunk by chunk.
  public var values: [StoredTensor]
  public var optimizer: OptimizerState
  public var position: TrainingPosition

  /// The parameters' values, whole, in f64.
  public var parameters: [Tensor] {
    get { values.map { $0.tensor() } }
    set { values = newValue.map { StoredTensor($0, source: "a checkpoint's parameter") } }
  }

  public init(parameters: [Tensor], optimizer: OptimizerState, position: TrainingPosition) {
    self.init(
      values: parameters.map { StoredTensor($0, source: "a checkpoint's parameter") },
      optimizer: optimizer, position: position)
  }

  public init(values: [StoredTensor], optimizer: OptimizerState, position: TrainingPosition) {
    self.values = values
    self.optimizer = optimizer
    self.position = position
  }

  public static func == (a: TrainingSnapshot, b: TrainingSnapshot) -> Bool {
    a.optimizer == b.optimizer && a.position == b.position && a.parameters == b.parameters
  }
}

/// When `train` writes checkpoints: after every `everySteps` steps, or at the end of every
/// epoch when nil; also when it stops early and at the end of the run. `write` returns false
/// when the checkpoint could not be written, which stops training (the model is still kept).
public struct CheckpointSchedule {
  public let everySteps: Int?
  public let write: (TrainingSnapshot) -> Bool

  public init(everySteps: Int?, write: @escaping (TrainingSnapshot) -> Bool) {
    self.everySteps = everySteps
    self.write = write
  }
}
