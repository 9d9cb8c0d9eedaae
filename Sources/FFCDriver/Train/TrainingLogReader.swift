import FFCDiagnostics
import FFCRuntime
import FFCViews

/// Reads a `--log` file back (for `ffc plot`): the header `TrainingProgress.logHeader` writes,
/// whose columns are found by name (`epoch` and `train_loss` are required, the others optional,
/// unknown ones ignored), then one line per epoch of numbers, an empty field where the run had no
/// value (no validation set, a loss without accuracy). `nan` and `inf` are read: the plot leaves a
/// gap. Any other text is an error at its line and column.
enum TrainingLogReader {
  static let required = ["epoch", "train_loss"]
  static let expectedHeader = String(TrainingProgress.logHeader.dropLast())

  static func read(_ file: SourceFile) throws(Diagnostic) -> [TrainingCurves.Epoch] {
    let lines = Self.lines(of: file)
    guard let header = lines.first else {
      throw Diagnostic(
        .error, id: "plot.empty",
        "'\(file.path)' is empty; a training log (ffc train --log) starts with the header '\(expectedHeader)'",
        file: file.path)
    }
    let names = header.fields.map(\.text)
    for name in required where !names.contains(name) {
      throw Diagnostic(
        .error, id: "plot.header",
        "the header has no '\(name)' column; a training log (ffc train --log) starts with '\(expectedHeader)'",
        at: header.range)
    }
    // A column named twice would be read from its first place, silently ignoring the second.
    for (index, field) in header.fields.enumerated() where names[..<index].contains(field.text) {
      throw Diagnostic(
        .error, id: "plot.header", "the header names the column '\(field.text)' twice",
        at: field.range)
    }
    func column(_ name: String) -> Int? { names.firstIndex(of: name) }
    var epochs: [TrainingCurves.Epoch] = []
    for line in lines.dropFirst() {
      guard line.fields.count == names.count else {
        throw Diagnostic(
          .error, id: "plot.fields",
          "this line has \(line.fields.count) field\(line.fields.count == 1 ? "" : "s") and the header \(names.count)",
          at: line.range)
      }
      func value(_ name: String) throws(Diagnostic) -> Double? {
        guard let index = column(name) else { return nil }
        return try number(line.fields[index], column: name)
      }
      let epochField = line.fields[column("epoch")!]
      guard let epoch = Int(epochField.text), epoch >= 0 else {
        throw Diagnostic(
          .error, id: "plot.epoch",
          "'\(epochField.text)' is not an epoch number (a whole number ≥ 0)", at: epochField.range)
      }
      if let previous = epochs.last?.epoch, epoch <= previous {
        throw Diagnostic(
          .error, id: "plot.epoch",
          "epoch \(epoch) follows epoch \(previous); a training log's epochs increase",
          at: epochField.range)
      }
      epochs.append(
        TrainingCurves.Epoch(
          epoch: epoch, trainingLoss: try value("train_loss"),
          trainingAccuracy: try value("train_accuracy"), validationLoss: try value("val_loss"),
          validationAccuracy: try value("val_accuracy")))
    }
    guard !epochs.isEmpty else {
      throw Diagnostic(
        .error, id: "plot.no-epochs", "the training log has a header and no epochs",
        at: header.range)
    }
    return epochs
  }

  /// A field as a number; empty is no value.
  private static func number(_ field: Field, column: String) throws(Diagnostic) -> Double? {
    if field.text.isEmpty { return nil }
    guard let x = Double(field.text) else {
      throw Diagnostic(
        .error, id: "plot.number", "'\(field.text)' in column '\(column)' is not a number",
        at: field.range)
    }
    return x
  }

  struct Field {
    let text: String
    let range: SourceRange
  }

  struct Line {
    let fields: [Field]
    let range: SourceRange
  }

  /// The file's non-blank lines split at commas, each field trimmed, with where it was written.
  private static func lines(of file: SourceFile) -> [Line] {
    let bytes = Array(file.text.utf8)
    var lines: [Line] = []
    var start = 0
    while start < bytes.count {
      var end = start
      while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
      var contentEnd = end
      if contentEnd > start && bytes[contentEnd - 1] == UInt8(ascii: "\r") { contentEnd -= 1 }
      var fields: [Field] = []
      var fieldStart = start
      for index in start...contentEnd where index == contentEnd || bytes[index] == UInt8(ascii: ",")
      {
        fields.append(field(bytes, fieldStart, index, file))
        fieldStart = index + 1
      }
      if !(fields.count == 1 && fields[0].text.isEmpty) {
        lines.append(Line(fields: fields, range: file.range(start, contentEnd)))
      }
      start = end + 1
    }
    return lines
  }

  private static func field(_ bytes: [UInt8], _ start: Int, _ end: Int, _ file: SourceFile) -> Field
  {
    var (low, high) = (start, end)
    while low < high && (bytes[low] == 0x20 || bytes[low] == 0x09) { low += 1 }
    while high > low && (bytes[high - 1] == 0x20 || bytes[high - 1] == 0x09) { high -= 1 }
    return Field(
      text: String(decoding: bytes[low..<high], as: UTF8.self), range: file.range(low, high))
  }
}

extension TrainingCurves.Epoch {
  /// An epoch as training reported it (`train --plot`).
  init(_ report: EpochReport) {
    self.init(
      epoch: report.epoch, trainingLoss: report.trainingLoss,
      trainingAccuracy: report.trainingAccuracy, validationLoss: report.validationLoss,
      validationAccuracy: report.validationAccuracy)
  }
}
