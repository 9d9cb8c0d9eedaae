import FFCIR
import Foundation

public struct TrainingSettings: Sendable {
  public var epochs: Int
  /// Rows per step; nil is the whole training set (full-batch gradient descent).
  public var batchSize: Int?
  public var seed: UInt64
  public var optimizer: OptimizerSettings
  /// On a loss that is not finite, name the first node that made a NaN or an infinity.
  public var checkNumerics: Bool
  /// Whether a plain SGD step on a mini-batch moves a parameter from its gradient's matrix
  /// product where it can (`UpdateFusion`), never holding the gradient.
  public var fusesUpdates: Bool

  public init(
    epochs: Int, batchSize: Int?, seed: UInt64, optimizer: OptimizerSettings,
    checkNumerics: Bool = false, fusesUpdates: Bool = TrainingSettings.fusesUpdatesByDefault
  ) {
    self.epochs = epochs
    self.batchSize = batchSize
    self.seed = seed
    self.optimizer = optimizer
    self.checkNumerics = checkNumerics
    self.fusesUpdates = fusesUpdates
  }
}

/// The figures of one epoch.
public struct EpochReport: Sendable, Equatable {
  public let epoch: Int
  public let trainingLoss: Double
  public let trainingAccuracy: Double?
  public let validationLoss: Double?
  public let validationAccuracy: Double?
  public let seconds: Double
  public let rowsPerSecond: Double

  public init(
    epoch: Int, trainingLoss: Double, trainingAccuracy: Double?, validationLoss: Double?,
    validationAccuracy: Double?, seconds: Double, rowsPerSecond: Double
  ) {
    self.epoch = epoch
    self.trainingLoss = trainingLoss
    self.trainingAccuracy = trainingAccuracy
    self.validationLoss = validationLoss
    self.validationAccuracy = validationAccuracy
    self.seconds = seconds
    self.rowsPerSecond = rowsPerSecond
  }
}

public enum TrainingFailure: Error {
  case evaluation(EvaluationError)
  /// The loss stopped being finite: the epoch and step (1-based), and with checkNumerics the first
  /// node that produced a NaN or an infinity.
  case nonFinite(epoch: Int, step: Int, node: NodeID?)
}

public struct TrainingResult: Sendable {
  /// The learned values, by the parameter's index among the graph's declarations (its name is for
  /// people reading them). They read the trainer's own buffers chunk by chunk (no copy is made),
  /// as they are when read: training the same trainer again changes them.
  public let parameters: [(declaration: Int, name: String, value: StoredTensor)]
  public let epochs: [EpochReport]
  public let interrupted: Bool
}

/// Mini-batch gradient descent through compiled plans: one plan of the gradient graph per batch
/// size (the last batch of an epoch may be smaller), one of its forward part for validation, all
/// sharing the parameter buffers this trainer owns and the optimizer updates in place. Both graphs
/// come from one compilation and share its declarations, so a parameter or a data column is known
/// by its declaration's index, never by its name.
public final class Trainer<T: PlanScalar> {
  let gradientGraph: Graph
  /// The gradient graph without its gradients (`Graph.withoutGradients`).
  let forwardGraph: Graph
  let settings: TrainingSettings
  let parameters: ParameterBuffers<T>
  let optimizer: Optimizer<T>
  let metric: AccuracyMetric?
  /// Where the run is; a restored checkpoint sets it.
  private var position: TrainingPosition
  /// Plans by batch size and graph, with the node of each row column in that graph (the forward
  /// and the gradient graph number their nodes differently), found once per plan, and the
  /// parameters (by their place in `parameters`) the optimizer steps after a run: those the
  /// plan does not move itself (`UpdateFusion`).
  private var plans: [Int: (plan: Plan<T>, columnNodes: [NodeID], stepped: [Int])] = [:]

  /// Trains the parameters of `gradientGraph`, a compiled graph with gradients. `initial` gives
  /// parameters' starting values by name (`--set`, a saved model); the others start as declared,
  /// with the settings' seed.
  public init(gradientGraph: Graph, initial: [String: Tensor], settings: TrainingSettings)
    throws(EvaluationError)
  {
    self.gradientGraph = gradientGraph
    self.forwardGraph = gradientGraph.withoutGradients()
    self.settings = settings
    var start: [(Gradient, ParameterStart)] = []
    for gradient in gradientGraph.gradients {
      let declaration = gradientGraph.parameter(of: gradient)
      if let file = LeafValues.stored(declaration, initial) {
        start.append((gradient, .stored(file)))
      } else {
        start.append(
          (gradient, .values(try LeafValues.value(of: declaration, initial, seed: settings.seed))))
      }
    }
    parameters = try ParameterBuffers(start, of: gradientGraph)
    optimizer = Optimizer(settings.optimizer, counts: parameters.counts)
    metric = AccuracyMetric.of(gradientGraph)
    position = TrainingPosition(
      order: [], random: SplitMix64(seed: settings.seed ^ 0x5EED_F00D).state)
  }

  /// Trains for the configured epochs (counted from the start of the run, so a restored run goes
  /// on up to them), reporting after each; `shouldStop` is asked after every step (a signal), and
  /// a stop keeps what was learned so far. `checkpoints` writes snapshots to resume from.
  public func train(
    _ rows: TrainingRows, validation: TrainingRows?, onEpoch: (EpochReport) -> Void,
    shouldStop: () -> Bool, checkpoints: CheckpointSchedule? = nil
  ) throws(TrainingFailure) -> TrainingResult {
    if position.order.count != rows.count { position.order = Array(0..<rows.count) }
    let batch = Swift.max(1, Swift.min(settings.batchSize ?? rows.count, rows.count))
    var unsaved = false
    func checkpoint() throws(TrainingFailure) -> Bool {
      unsaved = false
      guard let checkpoints else { return true }
      return checkpoints.write(try snapshot())
    }
    func stopped() -> TrainingResult {
      TrainingResult(parameters: learned(), epochs: position.reports, interrupted: true)
    }
    while position.epochsDone < Swift.max(1, settings.epochs) {
      let start = DispatchTime.now().uptimeNanoseconds
      func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
      if position.rowsInEpoch == 0 {
        var rng = SplitMix64(seed: position.random)
        rng.shuffle(&position.order)
        position.random = rng.state
        position.startEpoch()
      }
      while position.rowsInEpoch < rows.count {
        position.stepsInEpoch += 1
        let first = position.rowsInEpoch
        let picked = position.order[first..<Swift.min(rows.count, first + batch)]
        let outcome = try self.step(
          rows, picked, epoch: position.epochsDone + 1, step: position.stepsInEpoch)
        position.lossTotal += outcome.loss * Double(picked.count)
        position.correct += outcome.correct
        position.total += outcome.total
        position.rowsInEpoch += picked.count
        unsaved = true
        let stop = shouldStop()
        let due = checkpoints?.everySteps.map { optimizer.steps % $0 == 0 } ?? false
        if stop || due {
          position.secondsInEpoch += elapsed()
          let written = try checkpoint()
          position.secondsInEpoch -= elapsed()
          if stop || !written { return stopped() }
        }
      }
      let checked = try validation.map { rows throws(TrainingFailure) in try evaluate(rows) }
      let seconds = position.secondsInEpoch + elapsed()
      let report = EpochReport(
        epoch: position.epochsDone + 1, trainingLoss: position.lossTotal / Double(rows.count),
        trainingAccuracy: metric != nil && position.total > 0
          ? Double(position.correct) / Double(position.total) : nil,
        validationLoss: checked?.loss, validationAccuracy: checked?.accuracy, seconds: seconds,
        rowsPerSecond: Double(rows.count) / Swift.max(seconds, 1e-9))
      position.reports.append(report)
      position.epochsDone += 1
      position.startEpoch()
      unsaved = true
      onEpoch(report)
      if checkpoints != nil && checkpoints?.everySteps == nil, !(try checkpoint()) {
        return stopped()
      }
    }
    if unsaved, !(try checkpoint()) { return stopped() }
    return TrainingResult(parameters: learned(), epochs: position.reports, interrupted: false)
  }

  /// The run as it stands, for a checkpoint written at once: its parameters read this trainer's
  /// buffers (no copy), the optimizer's moments are copied in f64.
  public func snapshot() throws(TrainingFailure) -> TrainingSnapshot {
    TrainingSnapshot(values: currentValues(), optimizer: optimizer.state, position: position)
  }

  /// The epochs trained so far (a restored run's included).
  public var reports: [EpochReport] { position.reports }

  /// The statistics of the plans made so far, by batch size (gradient graph, then forward).
  public var planStatistics: [PlanStatistics] {
    plans.keys.sorted().compactMap { plans[$0]?.plan.statistics }
  }

  /// Continues the run a checkpoint holds; nil when it fits, else what does not fit (parameter
  /// shapes, optimizer state or row count not those of this trainer and its rows).
  public func restore(_ snapshot: TrainingSnapshot, rows: Int) -> String? {
    guard snapshot.values.count == parameters.counts.count,
      parameters.restore(snapshot.values)
    else { return "its parameters are not this program's" }
    guard optimizer.restore(snapshot.optimizer) else {
      return "its optimizer state does not fit this program's parameters"
    }
    let order = snapshot.position.order
    guard order.count == rows, Set(order).count == rows, order.allSatisfy({ (0..<rows) ~= $0 }),
      (0...rows).contains(snapshot.position.rowsInEpoch)
    else { return "it shuffled \(order.count) training rows, and this run has \(rows)" }
    position = snapshot.position
    return nil
  }

  /// The parameters' values, in the gradients' order: each reads the parameter's buffer as it is
  /// when read, chunk by chunk in f64 (no copy of the model is made).
  public func currentValues() -> [StoredTensor] {
    parameters.gradients.indices.map { parameters.value($0, of: gradientGraph) }
  }

  /// The current values of the parameters, in the gradients' order.
  private func learned() -> [(declaration: Int, name: String, value: StoredTensor)] {
    zip(parameters.gradients, currentValues()).map { gradient, value in
      (gradient.declaration, gradientGraph.parameter(of: gradient).name, value)
    }
  }

  /// The loss and accuracy of the current parameters on `rows`, without training.
  public func evaluate(_ rows: TrainingRows) throws(TrainingFailure) -> (
    loss: Double, accuracy: Double?
  ) {
    var lossTotal = 0.0
    var correct = 0
    var total = 0
    let all = Array(0..<rows.count)
    let chunk = rows.isPerExample ? 1 : rows.count
    let forwardMetric = AccuracyMetric.of(forwardGraph)
    for first in stride(from: 0, to: rows.count, by: chunk) {
      let picked = all[first..<Swift.min(rows.count, first + chunk)]
      let (plan, columnNodes, _) = try plan(forwardGraph, rows, size: picked.count)
      feed(plan, columnNodes, rows, picked)
      plan.run()
      lossTotal +=
        (forwardGraph.loss.map { Double(plan.buffer(of: $0.node)[0]) } ?? 0) * Double(picked.count)
      if let counted = forwardMetric?.count(plan) {
        correct += counted.correct
        total += counted.total
      }
    }
    return (
      lossTotal / Double(Swift.max(1, rows.count)),
      total > 0 ? Double(correct) / Double(total) : nil
    )
  }

  /// One optimizer step on the rows `picked`: the loss (the program's own reduction over a
  /// mini-batch, or the mean over rows for a per-example program) and the accuracy counts.
  private func step(_ rows: TrainingRows, _ picked: ArraySlice<Int>, epoch: Int, step: Int)
    throws(TrainingFailure) -> (loss: Double, correct: Int, total: Int)
  {
    let perExample = rows.isPerExample
    let (plan, columnNodes, stepped) = try plan(
      gradientGraph, rows, size: perExample ? 1 : picked.count)
    guard let lossNode = gradientGraph.loss?.node else {
      throw .evaluation(
        EvaluationError(message: "the program declares no loss to train on", location: nil))
    }
    var loss = 0.0
    var correct = 0
    var total = 0
    let groups: [ArraySlice<Int>] = perExample ? picked.map { [$0][...] } : [picked]
    if perExample {
      do throws(EvaluationError) {
        try parameters.clearSums(of: gradientGraph)
      } catch {
        throw .evaluation(error)
      }
    }
    for group in groups {
      feed(plan, columnNodes, rows, group)
      plan.run()
      let value = Double(plan.buffer(of: lossNode)[0])
      guard value.isFinite else {
        let node = settings.checkNumerics ? plan.runCheckingNumerics() : nil
        throw .nonFinite(epoch: epoch, step: step, node: node)
      }
      loss += value
      if let counted = metric?.count(plan) {
        correct += counted.correct
        total += counted.total
      }
      if perExample { parameters.accumulate(plan) }
    }
    if perExample {
      parameters.averageSums(over: groups.count)
      optimizer.step(
        parameters: parameters.pointers, gradients: parameters.sumPointers,
        counts: parameters.counts)
    } else if stepped.count == parameters.counts.count {
      optimizer.step(
        parameters: parameters.pointers, gradients: parameters.gradientPointers(plan),
        counts: parameters.counts)
    } else {
      // The plan moved the others as it ran (plain SGD, which keeps no state per parameter).
      let gradients = parameters.gradientPointers(plan, stepped)
      optimizer.step(
        parameters: stepped.map { parameters.pointers[$0] }, gradients: gradients,
        counts: stepped.map { parameters.counts[$0] })
    }
    return (loss / Double(groups.count), correct, total)
  }

  /// The plan of `graph` for `size` rows, made once and reused. A plan of the gradient graph
  /// for a mini-batch moves the parameters itself where it can under plain SGD (`UpdateFusion`).
  private func plan(_ graph: Graph, _ rows: TrainingRows, size: Int) throws(TrainingFailure) -> (
    plan: Plan<T>, columnNodes: [NodeID], stepped: [Int]
  ) {
    let key = size * 2 + (graph.gradients.isEmpty ? 0 : 1)
    if let cached = plans[key] { return cached }
    do {
      let bindings = try Self.bindings(graph, rows, size: size, parameters: parameters)
      let keep = AccuracyMetric.of(graph).map { [$0.logits, $0.labels] } ?? []
      var updates: ParameterUpdates<T>?
      if settings.fusesUpdates, !rows.isPerExample, !graph.gradients.isEmpty,
        let step = optimizer.fusableStep
      {
        updates = ParameterUpdates(
          parameters: parameters.gradients.map { (graph.parameter(of: $0).node, $0.node) },
          rate: step.rate, decay: step.decay)
      }
      let plan = try Plan<T>(
        graph, bindings: bindings, keep: keep, external: parameters.external(in: graph),
        updates: updates)
      // Fixed data only: a parameter given with the data (`--set W=...`) is a starting value,
      // already in the shared buffers; writing it here would undo training whenever a new plan
      // (the last, smaller batch; validation) is made.
      for declaration in graph.declarations where declaration.kind != .param {
        if let value = rows.fixed[declaration.name] { try plan.set(value, for: declaration) }
      }
      let columnNodes = rows.columns.map { graph.declarations[$0.declaration].node }
      let stepped = parameters.gradients.indices.filter {
        !plan.fusesUpdate(of: parameters.gradients[$0].node)
      }
      plans[key] = (plan, columnNodes, stepped)
      return (plan, columnNodes, stepped)
    } catch {
      throw .evaluation(error)
    }
  }

  /// The symbol sizes for `size` rows: from the fixed values and the parameters, then every batch
  /// axis bound to `size`.
  static func bindings(
    _ graph: Graph, _ rows: TrainingRows, size: Int, parameters: ParameterBuffers<T>
  ) throws(EvaluationError) -> [String: Int] {
    var shapes: [Int: [Int]] = [:]
    for (gradient, shape) in zip(parameters.gradients, parameters.shapes) {
      shapes[gradient.declaration] = shape
    }
    for column in rows.columns {
      var shape = column.exampleShape
      if let axis = column.batchAxis { shape.insert(size, at: axis) }
      shapes[column.declaration] = shape
    }
    return try LeafValues(graph, feeds: rows.fixed, shapes: shapes, seed: 0).bindings
  }

  /// Writes the rows `picked` into the plan's data leaves.
  private func feed(
    _ plan: Plan<T>, _ columnNodes: [NodeID], _ rows: TrainingRows, _ picked: ArraySlice<Int>
  ) {
    for (column, node) in zip(rows.columns, columnNodes) {
      rows.write(column, rows: picked, into: plan.buffer(of: node))
    }
  }
}
