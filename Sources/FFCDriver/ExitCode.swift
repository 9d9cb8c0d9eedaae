/// ffc's exit codes, documented in `ffc help` and the README.
public enum ExitCode: Int32, Sendable {
  /// Success.
  case success = 0
  /// An error in the user's program or data (or a failed check).
  case programError = 1
  /// A usage error: an unknown command or option, a missing argument.
  case usage = 2
  /// A bug in ffc: a verifier failure or an unexpected state inside a pass.
  case internalError = 3
  /// Stopped by Ctrl-C (128 + SIGINT, as shells report it); `train` saved what it had.
  case interrupted = 130
  /// Stopped by SIGTERM (128 + 15); `train` saved what it had.
  case terminated = 143
  /// Stopped by SIGHUP (128 + 1), as when its terminal closed; `train` saved what it had.
  case hangUp = 129
}

/// A command that stops early returns its exit code through `Result`.
extension ExitCode: Error {}
