import CBLAS
import Foundation
import Synchronization

/// The engine's own worker threads.
///
/// OpenBLAS is kept single-threaded, because its results change with its thread count. Instead the engine
/// splits work into pieces that depend only on the problem's shape, never on the number of threads, and
/// hands them to `threadCount` workers (the caller and persistent helpers, see `WorkerPool`); every piece
/// is computed by the same serial code whichever worker runs it, so results are bit-identical for any
/// thread count.
enum Parallel {
    private static let workers = Atomic<Int>(ProcessInfo.processInfo.activeProcessorCount)

    /// Makes OpenBLAS single-threaded, once, before the first BLAS call.
    static let configured: Void = openblas_set_num_threads(1)

    /// The number of workers (at least 1).
    static var threadCount: Int {
        get { workers.load(ordering: .relaxed) }
        set { workers.store(Swift.max(1, newValue), ordering: .relaxed) }
    }

    /// Fewest elements worth handing to another thread: a hand-off to the helpers costs 0.25–0.9 µs
    /// (depending on how far apart the two cores are at the time), 2048 elements of GELU about 1.7 µs.
    static let elementwiseShare = 1 << 11

    /// Runs `body(range)` over `0..<count` split into equal ranges, one per thread (fewer for short
    /// loops), in parallel; for loops whose elements are independent, where the split never changes
    /// results, so it may follow the thread count and balance the work exactly.
    static func forEachRange(_ count: Int, _ body: (Range<Int>) -> Void) {
        forEachRange(count, minimumShare: elementwiseShare) { range, _ in body(range) }
    }

    /// `forEachRange` with at least `minimumShare` elements per range (one range when there are fewer),
    /// also passing the worker that runs each range (for per-worker scratch). When the ranges cannot be
    /// equal, the longer ones come last, or first with `longerFirst` (for loops whose later elements cost
    /// more).
    static func forEachRange(_ count: Int, minimumShare: Int, longerFirst: Bool = false,
                             _ body: (Range<Int>, _ worker: Int) -> Void) {
        let pieces = shareCount(count, minimumShare: minimumShare)
        func start(_ piece: Int) -> Int { (count * piece + (longerFirst ? pieces - 1 : 0)) / pieces }
        forEach(pieces) { piece, worker in body(start(piece)..<start(piece + 1), worker) }
    }

    /// How many ranges `forEachRange` splits `0..<count` into: one per thread, with at least
    /// `minimumShare` elements each (one range when there are fewer).
    static func shareCount(_ count: Int, minimumShare: Int) -> Int {
        Swift.max(1, Swift.min(threadCount, count / Swift.max(minimumShare, 1)))
    }

    /// Runs `body(piece, worker)` for every piece in `0..<pieces`; worker `w` takes pieces `w`, `w + W`, …,
    /// so per-worker scratch indexed by `worker` is never shared. Inside `BLAS.serially`, or while another
    /// thread's call holds the helpers, the caller runs every piece itself as worker 0.
    static func forEach(_ pieces: Int, _ body: (_ piece: Int, _ worker: Int) -> Void) {
        let active = serialRegions.load(ordering: .relaxed) > 0
            ? 1 : Swift.min(threadCount, pieces, WorkerPool.maximumParticipants)
        if active > 1, helpers.run(pieces: pieces, active: active, body) { return }
        for piece in 0..<pieces { body(piece, 0) }
    }

    /// Runs `body(piece)` for every piece in `0..<pieces`, each on a thread of its own at the same time, so
    /// that pieces may wait for one another. Returns false without running anything when that many
    /// threads are not free (a lower thread count, `BLAS.serially`, or another caller's job on the helpers).
    static func together(_ pieces: Int, _ body: (_ piece: Int) -> Void) -> Bool {
        guard pieces > 1, pieces <= Swift.min(threadCount, WorkerPool.maximumParticipants),
              serialRegions.load(ordering: .relaxed) == 0 else { return false }
        return helpers.run(pieces: pieces, active: pieces) { piece, _ in body(piece) }
    }

    private static let helpers = WorkerPool()

    /// True inside `BLAS.latencyBound`.
    @TaskLocal static var isLatencyBound = false

    /// Callers currently inside `BLAS.serially` (process-wide: while any is, every caller runs serially).
    /// Helper threads do not see `isLatencyBound`: piece bodies must not split products themselves
    /// (attention's per-head products use `serialSgemm`).
    static let serialRegions = Atomic<Int>(0)
}
