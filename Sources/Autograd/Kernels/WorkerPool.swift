import CBLAS
import CKernels
import Foundation
import Synchronization

/// Persistent helper threads for `Parallel.forEach` and `Parallel.together`.
///
/// A batch-1 prefill over a few dozen tokens makes dozens of parallel calls of a few microseconds each;
/// waking a sleeping libdispatch thread for every one costs about as much as the work. Helpers here spin
/// for a short while after each job, so the next hand-off is an atomic store, and then sleep on a
/// condition variable so an idle engine costs nothing.
final class WorkerPool: @unchecked Sendable {
    typealias Body = (_ piece: Int, _ worker: Int) -> Void

    /// Job counter and participant count in one word (`job << 8 | active`), so a helper reads both at once.
    private let state = Atomic<Int>(0)
    private let pending = Atomic<Int>(0)
    private let inUse = Atomic<Bool>(false)
    /// Written by the submitter before `state` is published; read by participants only while it is live.
    private var body: Body?
    private var pieces = 0
    private var helperCount = 0
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var sleepers = 0  // guarded by `lock`
    /// The CPU of the caller that last woke sleeping helpers (-1 when unknown); guarded by `lock`.
    private var wakerCPU = -1

    init() {
        pthread_mutex_init(lock, nil)
        pthread_cond_init(wake, nil)
    }

    /// The most participants a job can have (the participant count shares a word with the job counter).
    static let maximumParticipants = 255

    /// Runs `body(piece, worker)` for every piece with `active` participants, the caller being worker 0 and
    /// worker `w` taking pieces `w, w + active, …`. Returns false without running anything when the pool
    /// is busy with another caller's job; that caller then runs its pieces itself.
    func run(pieces: Int, active: Int, _ body: Body) -> Bool {
        precondition(active > 1 && active <= Self.maximumParticipants, "WorkerPool.run needs 2–255 participants")
        guard inUse.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return false }
        defer { inUse.store(false, ordering: .releasing) }
        while helperCount < active - 1 { startHelper() }
        withoutActuallyEscaping(body) { body in
            self.body = body
            self.pieces = pieces
            pending.store(active - 1, ordering: .relaxed)
            let job = (state.load(ordering: .relaxed) >> 8) + 1
            state.store(job << 8 | active, ordering: .releasing)
            pthread_mutex_lock(lock)
            if sleepers > 0 {
                wakerCPU = Int(prunelab_current_cpu())
                pthread_cond_broadcast(wake)
            }
            pthread_mutex_unlock(lock)
            for piece in stride(from: 0, to: pieces, by: active) { body(piece, 0) }
            Spinning.until { pending.load(ordering: .acquiring) == 0 }
            self.body = nil
        }
        return true
    }

    /// Helpers sleeping on the condition variable now (they sleep after spinning idle for `Spinning.limit`).
    var sleepingHelpers: Int {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return sleepers
    }

    private func startHelper() {
        helperCount += 1
        let index = helperCount, seen = state.load(ordering: .acquiring)
        let thread = Thread { [self] in helperLoop(index: index, seen: seen) }
        thread.name = "prunelab-engine-\(index)"
        thread.start()
    }

    /// Waits for jobs and runs its share of those it takes part in. A helper left out of a job (the
    /// thread count was lowered) sleeps instead of spinning, so it never competes with the working ones.
    private func helperLoop(index: Int, seen: Int) {
        var seen = seen, spin = true
        while true {
            let current = waitForChange(from: seen, spinning: spin)
            seen = current
            let active = current & 0xff
            spin = index < active
            guard spin else { continue }
            runShare(of: index, active: active)
            pending.subtract(1, ordering: .releasing)
        }
    }

    /// A helper's pieces of the live job. A function of its own so that the helper's reference to `body`
    /// is released before it reports completion: `run` may return only once the closure is unshared.
    @inline(never)
    private func runShare(of index: Int, active: Int) {
        guard let body else { return }
        for piece in stride(from: index, to: pieces, by: active) { body(piece, index) }
    }

    /// The new `state` once it differs from `seen`: spinning first (when asked), then sleeping.
    ///
    /// A helper woken from sleep moves off the core of the caller that woke it, if it finds itself there:
    /// the scheduler tends to wake a thread on its waker's core, where it could run only once the caller,
    /// spinning until the helpers finish, gives up its time slice (and the helper, spinning in turn, then
    /// falls asleep again before the next job). A 4-block prefill whose threads wait for each other took
    /// 1.3 ms instead of 0.25 for as long as the scheduler left them so: the first hundred or so prefills
    /// of a process, in 7 of 18 processes. Only a helper that slept is moved (the scheduler places a thread
    /// when it wakes it), and the caller looks up its CPU only when it wakes sleepers, off the hand-off's
    /// usual path.
    private func waitForChange(from seen: Int, spinning: Bool) -> Int {
        for _ in 0..<(spinning ? Spinning.limit : 0) {
            let current = state.load(ordering: .acquiring)
            if current != seen { return current }
            prunelab_spin_pause()
        }
        pthread_mutex_lock(lock)
        var slept = false
        while state.load(ordering: .acquiring) == seen {
            sleepers += 1
            pthread_cond_wait(wake, lock)
            sleepers -= 1
            slept = true
        }
        let (current, waker) = (state.load(ordering: .acquiring), wakerCPU)
        pthread_mutex_unlock(lock)
        if slept { prunelab_move_off_cpu(Int32(waker)) }
        return current
    }
}
