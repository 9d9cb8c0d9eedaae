import FFCData
import FFCIR
import FFCRuntime
import Foundation

/// `ffc train`: learns a program's parameters from a data file by gradient descent on its loss.
public enum TrainCommand: Command {
  public static let name = "train"
  public static let abstract = "learn a program's parameters from data by gradient descent"
  public static let usage =
    "ffc train <file.ffn> --data <file.csv> [--val <file.csv> | --split <f>] [--optimizer sgd|momentum|adam] [--lr <x>] [--epochs <n>] [--batch <n>] [--seed <n>] [--save <out.ffn>] [--log <file.csv>] [--quiet] [options]"
  public static let help = """
    usage: \(usage)

    Trains the parameters of the program on the rows of a CSV file (read as by 'ffc run') with
    mini-batch gradient descent on the program's loss, through the compiled gradient graph.

    options:
      --data <file.csv>      the training data (required)
      --val <file.csv>       validation data, evaluated after every epoch
      --split <f>            instead of --val: keep a seeded shuffle's first f of the rows (0 < f < 1)
                             for training and hold out the rest for validation
      --optimizer <name>     sgd (default), momentum or adam
      --lr <x>               learning rate (default 0.01 for sgd and momentum, 0.001 for adam)
      --momentum <m>         momentum's coefficient (default 0.9)
      --beta1 <b>, --beta2 <b>, --epsilon <e>
                             adam's moment decay rates and ε (defaults 0.9, 0.999, 1e-8)
      --weight-decay <l>     L2 weight decay, added to the gradient as l·θ (default 0)
      --epochs <n>           passes over the training rows (default 10)
      --batch <n>            rows per step (default: all of them; 1 is stochastic gradient descent)
      --seed <n>             seed for the initialisers, the shuffles and --split (default 0); the
                             same seed gives the same result, bit for bit
      --save <out.ffn>       write the program with the learned parameters as literals; 'ffc run'
                             and 'ffc train' read it like any program (written safely, also after
                             Ctrl-C)
      --log <file.csv>       write epoch,train_loss,train_accuracy,val_loss,val_accuracy,seconds
      --quiet                print only the summary at the end
      --set <name>=<values>  give a value, as for 'ffc run' (a parameter's starting value too)
      --precision <p>        f32 (default) or f64
      --check-numerics       when the loss stops being finite, name the first value that did
      -O0                    turn the optimizer off
      --color <when>         colour diagnostics: auto (default), always, never
      -h, --help             show this help

    After every epoch it prints the training loss, the validation loss and, for the classification
    losses (softmax_cross_entropy, sigmoid_cross_entropy), the accuracy; on a terminal as one line
    that updates. Ctrl-C stops after the current step and still saves.

    exit codes: 0 success, 1 an error in the program or the data (or a loss that became NaN),
    2 a usage error, 3 an internal error, 130 stopped by Ctrl-C
    """

  static let options: [ArgumentScanner.OptionSpec] = [
    .init(["--data"], takesValue: true), .init(["--val"], takesValue: true),
    .init(["--split"], takesValue: true),
    .init(["--optimizer"], takesValue: true), .init(["--lr"], takesValue: true),
    .init(["--momentum"], takesValue: true),
    .init(["--beta1"], takesValue: true), .init(["--beta2"], takesValue: true),
    .init(["--epsilon"], takesValue: true),
    .init(["--weight-decay"], takesValue: true), .init(["--epochs"], takesValue: true),
    .init(["--batch"], takesValue: true),
    .init(["--seed"], takesValue: true), .init(["--save"], takesValue: true),
    .init(["--log"], takesValue: true),
    .init(["--quiet"]), .init(["--set"], takesValue: true),
    .init(["--precision"], takesValue: true),
    .init(["--check-numerics"]), .init(["-O0"]), .init(["-O1"]),
    .init(["--color"], takesValue: true),
    .init(["--help", "-h"]),
  ]

  public static func run(_ arguments: [String], _ io: inout CommandIO) throws -> ExitCode {
    guard let args = try scan(arguments, options, &io) else { return .success }
    let settings = try TrainSettings(args, usage: usage)
    guard let program = try readProgram(args, &io) else { return .programError }
    let useColor = useColor(args.value("--color"), io)
    // One compilation: the gradient graph trains, and its forward part (the gradients pruned)
    // validates.
    let options = Compilation.Options(
      differentiate: true, optimize: !args.has("-O0"), fuse: !settings.checkNumerics)
    switch compile(program, options, useColor: useColor, &io) {
    case .failure(let code): return code
    case .success(let compilation):
      var session = TrainingSession(
        compilation: compilation, settings: settings, args: args, useColor: useColor)
      return session.run(&io)
    }
  }
}
