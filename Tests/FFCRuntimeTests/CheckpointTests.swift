import FFCIR
import FFCRuntime
import FFCTestSupport
import Testing

/// Checkpoints: a run stopped, written, read back and resumed goes on bit for bit as if it had
/// never stopped; a damaged file is an error, never a crash.
@Suite struct CheckpointTests {
  static let optimizers: [OptimizerKind] = [
    .sgd, .momentum(0.9), .adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8),
  ]

  func trainer(_ kind: OptimizerKind, epochs: Int, batch: Int?) throws -> (
    Trainer<Float>, TrainingRows
  ) {
    let gradient = try Programs.compile(Repository.read("samples/xor.ffn"), differentiate: true)
    let rows = try TrainerTests().xorRows(gradient)
    let trainer = try Trainer<Float>(
      gradientGraph: gradient, initial: [:],
      settings: TrainingSettings(
        epochs: epochs, batchSize: batch, seed: 3,
        optimizer: OptimizerSettings(kind: kind, learningRate: 0.05, weightDecay: 0.01)))
    return (trainer, rows)
  }

  /// The figures a log compares: everything but the time.
  func figures(_ reports: [EpochReport]) -> [[Double?]] {
    reports.map {
      [
        Double($0.epoch), $0.trainingLoss, $0.trainingAccuracy, $0.validationLoss,
        $0.validationAccuracy,
      ]
    }
  }

  /// 10 epochs straight, and 5, a checkpoint through its bytes, and 5 more in a new trainer:
  /// the same parameters and the same log, bit for bit, for every optimizer; stopped at an epoch's
  /// end and in the middle of one (batch 3 of 4 rows: the second step of an epoch is short).
  @Test(arguments: optimizers)
  func resumingIsBitIdentical(_ kind: OptimizerKind) throws {
    for (batch, stopAfterSteps) in [(nil, 5), (3, 9), (1, 17)] as [(Int?, Int)] {
      let (straight, rows) = try trainer(kind, epochs: 10, batch: batch)
      let whole = try straight.train(
        rows, validation: rows, onEpoch: { _ in }, shouldStop: { false })
      let (first, _) = try trainer(kind, epochs: 10, batch: batch)
      var steps = 0
      var written: [UInt8] = []
      let stopped = try first.train(
        rows, validation: rows, onEpoch: { _ in },
        shouldStop: {
          steps += 1
          return steps == stopAfterSteps
        },
        checkpoints: CheckpointSchedule(everySteps: nil) { snapshot in
          written = CheckpointFormat.encode(snapshot, settings: [("--seed", "3")])
          return true
        })
      #expect(stopped.interrupted)
      let (snapshot, settings) = try CheckpointFormat.decode(written)
      #expect(settings.map(\.0) == ["--seed"] && settings.map(\.1) == ["3"])
      let (second, _) = try trainer(kind, epochs: 10, batch: batch)
      #expect(second.restore(snapshot, rows: rows.count) == nil)
      let resumed = try second.train(
        rows, validation: rows, onEpoch: { _ in }, shouldStop: { false })
      #expect(!resumed.interrupted)
      #expect(figures(resumed.epochs) == figures(whole.epochs), "\(kind.name), batch \(batch ?? 0)")
      #expect(
        resumed.parameters.map { $0.value.tensor() } == whole.parameters.map { $0.value.tensor() },
        "\(kind.name), batch \(batch ?? 0)")
    }
  }

  @Test func aStepIntervalWritesEveryNSteps() throws {
    let (trainer, rows) = try trainer(.sgd, epochs: 3, batch: 1)
    var positions: [Int] = []
    _ = try trainer.train(
      rows, validation: nil, onEpoch: { _ in }, shouldStop: { false },
      checkpoints: CheckpointSchedule(everySteps: 5) { snapshot in
        positions.append(snapshot.optimizer.steps)
        return true
      })
    // Every 5 steps of 12, and the end of the run.
    #expect(positions == [5, 10, 12])
  }

  @Test func aFailedWriteStopsTrainingKeepingWhatWasLearned() throws {
    let (trainer, rows) = try trainer(.sgd, epochs: 5, batch: nil)
    let result = try trainer.train(
      rows, validation: nil, onEpoch: { _ in }, shouldStop: { false },
      checkpoints: CheckpointSchedule(everySteps: nil) { _ in false })
    #expect(result.interrupted && result.epochs.count == 1)
  }

  @Test func aSnapshotOfAnotherShapeDoesNotFit() throws {
    let (trainer, rows) = try trainer(
      .adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8), epochs: 1, batch: nil)
    var snapshot = try trainer.snapshot()
    snapshot.parameters[0] = Tensor(repeating: 0, shape: [3])
    #expect(trainer.restore(snapshot, rows: rows.count) == "its parameters are not this program's")
    #expect(trainer.restore(try trainer.snapshot(), rows: 5) != nil)
    let (sgd, _) = try self.trainer(.sgd, epochs: 1, batch: nil)
    #expect(sgd.restore(try trainer.snapshot(), rows: rows.count) != nil)
  }

  /// Every truncation, a changed byte anywhere and a foreign file: an error with a reason.
  @Test func damagedFilesAreErrors() throws {
    let (trainer, rows) = try trainer(
      .adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8), epochs: 2, batch: 3)
    _ = try trainer.train(rows, validation: nil, onEpoch: { _ in }, shouldStop: { false })
    let bytes = CheckpointFormat.encode(try trainer.snapshot(), settings: [("--lr", "0.05")])
    let snapshot = try trainer.snapshot()
    #expect(try CheckpointFormat.decode(bytes).snapshot == snapshot)
    for length in 0..<bytes.count {
      #expect(throws: CheckpointFormat.Failure.self) {
        _ = try CheckpointFormat.decode(Array(bytes[..<length]))
      }
    }
    for index in stride(from: 0, to: bytes.count, by: 7) {
      var damaged = bytes
      damaged[index] ^= 0x40
      #expect(throws: CheckpointFormat.Failure.self) { _ = try CheckpointFormat.decode(damaged) }
    }
    #expect {
      _ = try CheckpointFormat.decode(Array("epoch,train_loss\n1,0.5\n".utf8))
    } throws: { ($0 as? CheckpointFormat.Failure)?.reason == "it is not an ffc checkpoint" }
  }
}
