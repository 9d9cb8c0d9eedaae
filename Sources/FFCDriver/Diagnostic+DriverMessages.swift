import FFCDiagnostics
import FFCFormats
import FFCRuntime

// Messages of the driver itself (files it reads and writes, values a run cannot compute), as
// factories with stable ids, in alphabetical order.

extension Diagnostic {
  /// A file ffc could not read (the message names it and says why); no place in a file applies.
  static func cannotRead(_ failure: SafeFile.Failure) -> Diagnostic {
    Diagnostic(.error, id: "file.unreadable", failure.message, at: nil)
  }

  /// A graph with something ONNX cannot express (an op without a mapping), at its program line.
  static func cannotExport(_ error: ONNXExportError) -> Diagnostic {
    Diagnostic(.error, id: "export.onnx", error.message, at: error.location)
  }

  static func cannotWrite(_ failure: SafeFile.Failure) -> Diagnostic {
    Diagnostic(.error, id: "file.unwritable", failure.message, at: nil)
  }

  /// An error ffc did not expect (a bug), caught at the top of the driver.
  static func unexpected(_ error: any Error) -> Diagnostic {
    .internalError(in: "driver", "\(error)", at: nil)
  }

  /// A mistake in the command line (`UsageError` adds the usage and a pointer to the help).
  static func usage(_ message: String) -> Diagnostic {
    Diagnostic(.error, id: "usage", message, at: nil)
  }

  /// A value a run (or a training step) could not compute: a missing input, a shape that does not
  /// match, a constant the precision cannot hold.
  static func valueError(_ message: String, at range: SourceRange?) -> Diagnostic {
    Diagnostic(.error, id: "run.value", message, at: range)
  }

  static func valueError(_ error: EvaluationError) -> Diagnostic {
    valueError(error.commandLineMessage, at: error.location)
  }
}
