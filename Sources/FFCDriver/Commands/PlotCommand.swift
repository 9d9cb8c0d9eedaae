import FFCDiagnostics
import FFCViews
import Foundation

/// `ffc plot`: a training log's loss and accuracy curves as an SVG that ffc writes itself.
public enum PlotCommand: Command {
  public static let name = "plot"
  public static let abstract = "draw a training log's loss and accuracy per epoch as SVG"
  static let operands = "<train.csv>"
  static let discussion = """
    Reads a log that 'ffc train --log' wrote and draws the training and validation loss per
    epoch and, when the log has accuracy (the classification losses), the training and validation
    accuracy beside it: an SVG with axes, ticks and a legend, needing no other program. A loss
    that falls by two orders of magnitude or more is drawn on a logarithmic axis. 'ffc train
    --plot <file.svg>' draws the same after training.
    """
  static let epilogue = """
    log files:
      A header naming the columns (epoch,train_loss,train_accuracy,val_loss,val_accuracy,seconds
      as train writes them; epoch and train_loss are required, the order is free), then one line
      per epoch with increasing epoch numbers; an empty field is a value the run did not have, and
      nan, inf or a number beyond ±1e300 leaves a gap in the curve.

    exit codes: 0 success, 1 a log that cannot be read or is not a training log, 2 a usage error,
    3 an internal error
    """

  static let options: [any OptionDeclaration] = [
    Option.output.withHelp("write the SVG to <file> instead of standard output"),
    Option.color, Option.help,
  ]

  public static func run(_ arguments: [String], _ io: inout CommandIO) throws -> ExitCode {
    guard let args = try scan(arguments, &io) else { return .success }
    guard args.positionals.count == 1, let path = args.positionals.first else {
      throw UsageError(
        "'plot' takes one training log (written by 'ffc train --log'), got \(args.positionals.count)",
        usage: usage, helpTopic: name)
    }
    var files = OutputFiles()
    files.input("the log", path)
    files.output(Option.output.key, args[.output])
    if let clash = files.clash(io) { throw UsageError(clash, usage: usage, helpTopic: name) }
    let useColor = useColor(args[.color], io)
    let log: SourceFile
    do {
      let read = try io.readProgram(path)
      log = SourceFile(path: read.displayName, text: read.text)
    } catch {
      report(.cannotRead(error), files: [], useColor: useColor, io: &io)
      return .programError
    }
    let epochs: [TrainingCurves.Epoch]
    do throws(Diagnostic) {
      epochs = try TrainingLogReader.read(log)
    } catch {
      report(error, files: [log], useColor: useColor, io: &io)
      return .programError
    }
    let name = (log.path as NSString).lastPathComponent
    let svg = TrainingCurves(epochs, name: name).svg()
    guard let output = args[.output] else {
      io.out(svg)
      return .success
    }
    do {
      try SafeFile.write(svg, to: io.resolve(output), displayName: output)
    } catch {
      report(.cannotWrite(error), files: [], useColor: useColor, io: &io)
      return .programError
    }
    return .success
  }
}
