import FFCRuntime
import Foundation

/// `--log`: written as training goes, so that a killed run leaves its history. The header (and, on
/// a resumed run, the epochs before it) is written safely when training starts; then each epoch
/// appends its line and flushes it to the file at once.
final class TrainingLog {
  let path: String
  private var handle: FileHandle?
  /// The first write that failed; later lines are not tried.
  private(set) var failure: SafeFile.Failure?

  init(_ path: String, previous: [EpochReport], _ io: CommandIO) {
    self.path = path
    let text = TrainingProgress.logHeader + previous.map(TrainingProgress.logLine).joined()
    do {
      try SafeFile.write(text, to: io.resolve(path), displayName: path)
      handle = FileHandle(forWritingAtPath: io.resolve(path))
      // A pipe or a terminal (`--log /dev/stdout`) has no end to seek to; it appends anyway.
      _ = try? handle?.seekToEnd()
      if handle == nil {
        failure = SafeFile.Failure(message: "cannot write '\(path)': cannot open it")
      }
    } catch {
      failure = error
    }
  }

  deinit { try? handle?.close() }

  func append(_ report: EpochReport) {
    guard failure == nil, let handle else { return }
    do {
      // FileHandle writes straight to the file descriptor: nothing waits in a buffer.
      try handle.write(contentsOf: Data(TrainingProgress.logLine(report).utf8))
    } catch {
      failure = SafeFile.Failure(message: "cannot write '\(path)': \(error.localizedDescription)")
    }
  }
}
