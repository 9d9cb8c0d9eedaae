import FFCData
import FFCIR
import FFCRuntime
import Foundation

/// `ffc train`: learns a program's parameters from a data file by gradient descent on its loss.
public enum TrainCommand: Command {
  public static let name = "train"
  public static let abstract = "learn a program's parameters from data by gradient descent"
  static let operands = "<file.ffn>"
  static let discussion = """
    Trains the parameters of the program on the rows of a CSV file (read as by 'ffc run') with
    mini-batch gradient descent on the program's loss, through the compiled gradient graph.
    """
  static let epilogue = """
    After every epoch it prints the training loss, the validation loss and, for the classification
    losses (softmax_cross_entropy, sigmoid_cross_entropy), the accuracy; on a terminal as one line
    that updates. Ctrl-C, SIGTERM and SIGHUP stop after the current step and still save the
    program, the log, the plot and the checkpoint. Every output file is checked before the first step, and
    none may name a file the command reads (--save may name the program: it is read first).

    exit codes: 0 success, 1 an error in the program or the data (or a loss that became NaN),
    2 a usage error, 3 an internal error, 130 stopped by Ctrl-C (SIGINT), 143 by SIGTERM,
    129 by SIGHUP
    """

  static let options: [any OptionDeclaration] = [
    Option.data.withHelp("the training data (required)").required(), Option.validation,
    Option.split, Option.optimizer,
    Option.learningRate.withHelp(
      "learning rate (default 0.01 for sgd and momentum, 0.001 for adam)"),
    Option.momentum, Option.beta1, Option.beta2, Option.epsilon, Option.weightDecay,
    Option.epochs, Option.batch,
    Option.seed.withHelp(
      """
      seed for the initialisers, the shuffles and --split (default 0); the
      same seed gives the same result, bit for bit
      """),
    Option.save, Option.saveWeights, Option.log, Option.plot, Option.checkpoint,
    Option.checkpointEvery, Option.resume,
    Option.quiet,
    Option.set.withHelp(
      "give a value, as for 'ffc run' (a parameter's starting value too)"),
    Option.precision,
    Option.checkNumerics.withHelp(
      "when the loss stops being finite, name the first value that did"),
    Option.optimization, Option.color, Option.help,
  ]

  public static func run(_ arguments: [String], _ io: inout CommandIO) throws -> ExitCode {
    guard let args = try scan(arguments, &io) else { return .success }
    let settings = try TrainSettings(args, usage: usage)
    var files = OutputFiles()
    files.input("the program", args.positionals.first)
    for data in args.all(.data).compactMap({ $0 }) {
      files.input(Option.data.key, NumPyInputs.path(data))
    }
    files.input(Option.validation.key, args[.validation])
    files.input(Option.resume.key, args[.resume])
    files.output(Option.save.key, args[.save])
    files.output(Option.save.key, args[.save].flatMap(SavedWeights.path(besides:)))
    files.output(Option.log.key, args[.log])
    files.output(Option.plot.key, args[.plot])
    files.output(Option.checkpoint.key, args[.checkpoint])
    // Both are read in full before anything is written: saving over the program keeps it the
    // user's file with new values, and a resumed run goes on writing its own checkpoint.
    let allowed = [(Option.save.key, "the program"), (Option.checkpoint.key, Option.resume.key)]
    if let clash = files.clash(io, allowed: allowed) {
      throw UsageError(clash, usage: usage, helpTopic: name)
    }
    guard let program = try readProgram(args, &io) else { return .programError }
    let useColor = useColor(args[.color], io)
    // One compilation: the gradient graph trains, and its forward part (the gradients pruned)
    // validates.
    var options = Compilation.Options(
      differentiate: true, optimize: args[.optimization], fuse: !settings.checkNumerics)
    options.precision = args[.precision]
    switch compile(program, options, useColor: useColor, &io) {
    case .failure(let code): return code
    case .success(let compilation):
      var session = TrainingSession(
        compilation: compilation, settings: settings, args: args, useColor: useColor)
      return session.run(&io)
    }
  }
}
