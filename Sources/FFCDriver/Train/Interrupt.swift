import Foundation
import Synchronization

/// Ctrl-C during training: the handler only sets a flag; the training loop reads it after every
/// step and stops cleanly (saving what it has), instead of the process dying mid-write.
enum Interrupt {
  static let requested = Atomic<Bool>(false)

  static func install() {
    requested.store(false, ordering: .relaxed)
    signal(SIGINT) { _ in Interrupt.requested.store(true, ordering: .relaxed) }
    // A parent may have started us with SIGINT blocked (a spawn inherits the signal mask).
    var mask = sigset_t()
    sigemptyset(&mask)
    sigaddset(&mask, SIGINT)
    pthread_sigmask(SIG_UNBLOCK, &mask, nil)
  }

  static func restore() { signal(SIGINT, SIG_DFL) }

  static var isRequested: Bool { requested.load(ordering: .relaxed) }
}
