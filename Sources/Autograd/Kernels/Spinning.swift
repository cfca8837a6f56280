import CBLAS
import Foundation

/// Busy-waiting for another thread, for waits of microseconds, where sleeping and being woken would cost
/// more than the wait.
enum Spinning {
    /// Spin iterations (each a CPU pause, ~20–50 ns) before a waiting thread sleeps or yields: about half
    /// a millisecond, longer than a pruner's scoring between two prefills, so timed prefills do not pay
    /// for waking a helper.
    static let limit = 16_000

    /// Spins until `done()`, yielding the processor after `limit` pauses (should the thread waited for
    /// have been descheduled).
    static func until(_ done: () -> Bool) {
        var spins = 0
        while !done() {
            spins += 1
            if spins < limit { prunelab_spin_pause() } else { sched_yield() }
        }
    }
}
