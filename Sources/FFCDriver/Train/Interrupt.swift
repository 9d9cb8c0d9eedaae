import Foundation
import Synchronization

/// Ctrl-C (SIGINT), SIGTERM and SIGHUP during training: the handler only records the signal; the
/// training loop reads it after every step and stops cleanly (saving what it has, writing the
/// log and the checkpoint), instead of the process dying mid-write. The exit code is 128 plus the
/// signal's number, as a shell reports a process the signal killed: 130, 143, 129.
enum Interrupt {
  static let signals = [SIGINT, SIGTERM, SIGHUP]
  /// The signal received, 0 for none.
  static let received = Atomic<Int32>(0)

  static func install() {
    received.store(0, ordering: .relaxed)
    var mask = sigset_t()
    sigemptyset(&mask)
    for number in signals {
      signal(number) { number in Interrupt.received.store(number, ordering: .relaxed) }
      sigaddset(&mask, number)
    }
    // A parent may have started us with these signals blocked (a spawn inherits the mask).
    pthread_sigmask(SIG_UNBLOCK, &mask, nil)
  }

  static func restore() {
    for number in signals { signal(number, SIG_DFL) }
  }

  static var isRequested: Bool { received.load(ordering: .relaxed) != 0 }

  /// The exit code of a run the signal stopped.
  static var exitCode: ExitCode {
    switch received.load(ordering: .relaxed) {
    case SIGTERM: .terminated
    case SIGHUP: .hangUp
    default: .interrupted
    }
  }
}
