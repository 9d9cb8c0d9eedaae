import FFCData
import FFCFormats
import FFCFrontend
import FFCIR
import FFCRuntime
import FFCViews
import Foundation

/// One `ffc train` run after its program compiled: reads the data, trains, reports, saves.
struct TrainingSession {
  let compilation: Compilation
  let settings: TrainSettings
  let args: ArgumentScanner
  let useColor: Bool

  mutating func run(_ io: inout CommandIO) -> ExitCode {
    var files = [compilation.source]
    func fail(_ diagnostic: Diagnostic) -> ExitCode {
      io.err(DiagnosticRenderer(files: files, useColor: useColor).render(diagnostic))
      return .programError
    }
    let graph = compilation.graph
    guard graph.loss != nil else {
      return fail(
        Diagnostic(
          .error, id: "train.no-loss",
          "the program declares no loss to train on; add 'loss L = ...'",
          file: compilation.source.path))
    }
    guard !graph.parameters.isEmpty else {
      return fail(
        Diagnostic(
          .error, id: "train.no-parameters", "the program declares no parameters to train",
          file: compilation.source.path))
    }
    // Every output is checked before the data is read and a step taken.
    let weights = args[.save].flatMap(SavedWeights.path(besides:))
    for path in [args[.save], weights, args[.log], args[.plot], args[.checkpoint]].compactMap({ $0 }
    ) {
      do {
        try SafeFile.checkWritable(io.resolve(path), displayName: path)
      } catch {
        return fail(.cannotWrite(error))
      }
    }
    guard let dataPath = args[.data] else {
      return fail(
        Diagnostic(
          .error, id: "train.no-data", "'train' needs a data file: --data <file.csv>", at: nil))
    }
    let training: TrainingRows
    var validation: TrainingRows?
    do throws(Diagnostic) {
      // The data stays where it was read until the rows are made in the plan's precision.
      let inputs = try RunInputs.gather(
        sets: args.all(.set), data: args.all(.data).compactMap { $0 }, graph: graph, io: io,
        keepingStored: true)
      if let file = inputs.dataFile { files.append(file) }
      if let warning = inputs.underflowWarning(in: settings.precision) {
        io.err(DiagnosticRenderer(files: files, useColor: useColor).render(warning))
      }
      guard let data = inputs.data else {
        throw Diagnostic(.error, id: "train.no-data", "no data", at: nil)
      }
      let all = try TrainingData.rows(
        data, graph: graph, setValues: inputs.setValues, precision: settings.precision)
      if let valPath = args[.validation] {
        let checked = try RunInputs.gather(
          sets: args.all(.set), data: [valPath], graph: graph, io: io, keepingStored: true)
        if let file = checked.dataFile { files.append(file) }
        training = all
        validation = try checked.data.map { (data) throws(Diagnostic) in
          try TrainingData.rows(
            data, graph: graph, setValues: checked.setValues, precision: settings.precision)
        }
      } else if let fraction = settings.split {
        guard all.count >= 2 else {
          throw Diagnostic(
            .error, id: "train.split",
            "--split needs at least 2 rows; '\(dataPath)' has \(all.count)", at: nil)
        }
        (training, validation) = TrainingData.split(all, fraction: fraction, seed: settings.seed)
      } else {
        training = all
      }
    } catch {
      if let dataPath = args[.data],
        let text = try? SafeFile.read(io.resolve(dataPath), displayName: dataPath)
      {
        files.append(SourceFile(path: dataPath, text: text))
      }
      return fail(error)
    }
    var inPrecision = TrainingInPrecision(
      session: self, training: training, validation: validation, files: files, io: io)
    let code = settings.precision.dispatch(&inPrecision)
    io = inPrecision.io
    return code
  }

  func train<T: PlanScalar>(
    _: T.Type, _ training: TrainingRows, _ validation: TrainingRows?, files: [SourceFile],
    _ io: inout CommandIO
  ) -> ExitCode {
    let renderer = DiagnosticRenderer(files: files, useColor: useColor)
    let trainer: Trainer<T>
    do {
      trainer = try Trainer<T>(
        gradientGraph: compilation.graph, initial: training.fixed,
        settings: TrainingSettings(
          epochs: settings.epochs, batchSize: settings.batch, seed: settings.seed,
          optimizer: settings.optimizer, checkNumerics: settings.checkNumerics))
    } catch {
      io.err(renderer.render(.valueError(error)))
      return .programError
    }
    let checkpoints = CheckpointFile(settings, graph: compilation.graph, rows: training)
    do throws(Diagnostic) {
      // Before the first step: a run whose result cannot be saved is refused, not thrown away.
      // The values are read from the trainer's buffers, not copied.
      if args[.save] != nil {
        try ProgramWriter.checkSavable(
          declarations: compilation.graph.declarations, sites: compilation.valueSites,
          values: learned(trainer.currentValues()), precision: settings.precision)
      }
      if let path = args[.resume] {
        let snapshot = try checkpoints.read(path, io).get()
        if let misfit = trainer.restore(snapshot, rows: training.count) {
          throw Diagnostic(
            .error, id: "train.checkpoint", "cannot resume from '\(path)': \(misfit)", at: nil)
        }
      }
    } catch {
      io.err(renderer.render(error))
      return .programError
    }
    let log = args[.log].map { TrainingLog($0, previous: trainer.reports, io) }
    if let failure = log?.failure {
      io.err(renderer.render(.cannotWrite(failure)))
      return .programError
    }
    let start = DispatchTime.now().uptimeNanoseconds
    var liveLine = false
    var checkpointFailure: SafeFile.Failure?
    let schedule = args[.checkpoint].map { path in
      CheckpointSchedule(everySteps: settings.checkpointEvery) { [io] snapshot in
        do throws(SafeFile.Failure) {
          try checkpoints.write(snapshot, to: path, io)
          return true
        } catch {
          checkpointFailure = error
          return false
        }
      }
    }
    Interrupt.install()
    defer { Interrupt.restore() }
    let outcome: TrainingResult
    do {
      outcome = try trainer.train(
        training, validation: validation,
        onEpoch: { [settings] report in
          log?.append(report)
          guard !settings.quiet else { return }
          let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
          let line = TrainingProgress.line(report, epochs: settings.epochs, elapsed: elapsed)
          if io.outputIsTerminal {
            io.out("\r\u{1B}[K" + line)
            liveLine = true
          } else {
            io.out(line + "\n")
          }
        }, shouldStop: { Interrupt.isRequested }, checkpoints: schedule)
    } catch {
      if liveLine { io.out("\n") }
      io.err(
        renderer.render(
          Diagnostic.trainingFailure(error, graph: compilation.graph, settings: settings)))
      return .programError
    }
    if liveLine { io.out("\n") }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    io.out(summary(outcome, seconds: seconds, training: training, validation: validation))
    // The model first: a later failure (the log, the checkpoint) must not cost it.
    var failed = false
    if let path = args[.save] {
      failed = !save(outcome, to: path, seconds: seconds, &io)
    }
    if let path = args[.plot] {
      let curves = TrainingCurves(outcome.epochs.map(TrainingCurves.Epoch.init))
      failed = !write(curves.svg(), to: path, &io) || failed
    }
    for failure in [log?.failure, checkpointFailure].compactMap({ $0 }) {
      io.err(renderer.render(.cannotWrite(failure)))
      failed = true
    }
    if failed { return .programError }
    return outcome.interrupted ? Interrupt.exitCode : .success
  }

  /// Parameter values in the gradients' order, by their declarations.
  func learned(_ values: [StoredTensor]) -> [(declaration: Int, value: StoredTensor)] {
    zip(compilation.graph.gradients, values).map { ($0.declaration, $1) }
  }

  func summary(
    _ outcome: TrainingResult, seconds: Double, training: TrainingRows, validation: TrainingRows?
  ) -> String {
    let epochs = outcome.epochs.count
    var text =
      outcome.interrupted
      ? "interrupted after \(epochs) complete epoch\(epochs == 1 ? "" : "s")"
      : "trained \(epochs) epoch\(epochs == 1 ? "" : "s")"
    text +=
      " in \(TrainingProgress.seconds(seconds)) (\(settings.summary), \(training.count) rows)\n"
    if let last = outcome.epochs.last {
      text += "  training loss \(TrainingProgress.fixed(last.trainingLoss))"
      if let a = last.trainingAccuracy { text += ", accuracy \(TrainingProgress.percent(a))" }
      text += "\n"
      if let l = last.validationLoss, let validation {
        text += "  validation loss \(TrainingProgress.fixed(l))"
        if let a = last.validationAccuracy { text += ", accuracy \(TrainingProgress.percent(a))" }
        text += " (\(validation.count) rows)\n"
      }
    }
    return text
  }

  func write(_ text: String, to path: String, _ io: inout CommandIO) -> Bool {
    write(Data(text.utf8), to: path, &io)
  }

  func write(_ data: Data, to path: String, _ io: inout CommandIO) -> Bool {
    do {
      try SafeFile.write(data, to: io.resolve(path), displayName: path)
      return true
    } catch {
      io.err(DiagnosticRenderer(files: [], useColor: useColor).render(.cannotWrite(error)))
      return false
    }
  }

  /// Writes the program with the learned values as literals, safely (a temporary file, then a
  /// rename): a failure never leaves half a file in place of an existing one.
  func save(_ outcome: TrainingResult, to path: String, seconds: Double, _ io: inout CommandIO)
    -> Bool
  {
    let last = outcome.epochs.last
    var note =
      "ffc train \(args.positionals.first ?? "") (\(settings.summary)), \(outcome.epochs.count) epochs"
    if let loss = last?.trainingLoss { note += ", training loss \(TrainingProgress.fixed(loss))" }
    if let accuracy = last?.validationAccuracy {
      note += ", validation accuracy \(TrainingProgress.percent(accuracy))"
    }
    do throws(Diagnostic) {
      let weights = SavedWeights.path(besides: path)
      let saved = try ProgramWriter.withParameterValues(
        compilation.source, declarations: compilation.graph.declarations,
        sites: compilation.valueSites,
        values: outcome.parameters.map { ($0.declaration, $0.value) },
        precision: settings.precision, note: note,
        weights: weights.map {
          ProgramWriter.WeightsFile(
            name: SavedWeights.name($0),
            minimumCount: args[.saveWeights] ?? SavedWeights.defaultMinimum)
        })
      // The weights first: the program that names them is written only once they are in place.
      // Both name the weights' digest, so a crash between the two writes leaves an old program
      // beside new weights, which `load` refuses, never a silent mix.
      if let weights, !saved.tensors.isEmpty {
        var metadata = [("format", "ffc"), ("program", SavedWeights.name(path))]
        if let digest = saved.digest { metadata.append((SafeTensorsWriter.digestKey, digest)) }
        do throws(SafeFile.Failure) {
          try SafeFile.write(to: io.resolve(weights), displayName: weights) { put in
            SafeTensorsWriter.stream(
              saved.tensors, as: settings.precision == .f32 ? .f32 : .f64, metadata: metadata,
              to: put)
          }
        } catch {
          io.err(DiagnosticRenderer(files: [], useColor: useColor).render(.cannotWrite(error)))
          return false
        }
        let count = saved.tensors.count
        io.out("saved \(count) parameter\(count == 1 ? "" : "s") to \(weights)\n")
      }
      guard write(saved.text, to: path, &io) else { return false }
      io.out("saved the trained program to \(path)\n")
      return true
    } catch {
      io.err(DiagnosticRenderer(files: [compilation.source], useColor: useColor).render(error))
      return false
    }
  }
}

/// `train` in the precision chosen at run time.
private struct TrainingInPrecision: PrecisionGeneric {
  typealias Failure = Never
  let session: TrainingSession
  let training: TrainingRows
  let validation: TrainingRows?
  let files: [SourceFile]
  var io: CommandIO

  mutating func callAsFunction<T: PlanScalar>(_: T.Type) -> ExitCode {
    session.train(T.self, training, validation, files: files, &io)
  }
}

extension Diagnostic {
  static func trainingFailure(_ failure: TrainingFailure, graph: Graph, settings: TrainSettings)
    -> Diagnostic
  {
    switch failure {
    case .evaluation(let error):
      return .valueError(error)
    case .nonFinite(let epoch, let step, let node):
      let rate = "the learning rate (\(settings.optimizer.learningRate)) may be too large"
      guard let node else {
        return Diagnostic(
          .error, id: "train.non-finite",
          "the loss stopped being finite at epoch \(epoch), step \(step); \(rate) (--check-numerics names the value)",
          at: graph.loss.flatMap { graph[$0.node].location })
      }
      let graphNode = graph[node]
      return Diagnostic(
        .error, id: "train.non-finite",
        "the loss stopped being finite at epoch \(epoch), step \(step): '\(graphNode.op.name)' produced a NaN or an infinity in \(graphNode.name.map { "'\($0)'" } ?? "a value"); \(rate)",
        at: graphNode.location)
    }
  }
}
