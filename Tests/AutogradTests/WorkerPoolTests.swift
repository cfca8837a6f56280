import Dispatch
import Foundation
import XCTest
@testable import Autograd
import CKernels

/// The engine's helper threads run every piece exactly once, with the documented worker assignment, and
/// step aside (the caller runs serially) for nested or concurrent callers instead of deadlocking.
final class WorkerPoolTests: XCTestCase {
    func testEveryPieceRunsOnceOnItsWorker() {
        let pool = WorkerPool()
        for (pieces, active) in [(2, 2), (7, 2), (64, 3), (5, 4), (1000, 2)] {
            for _ in 0..<50 {
                var runs = [Int](repeating: 0, count: pieces), owners = [Int](repeating: -1, count: pieces)
                runs.withUnsafeMutableBufferPointer { runs in
                    owners.withUnsafeMutableBufferPointer { owners in
                        let (r, o) = (UncheckedPointer(runs), UncheckedPointer(owners))
                        XCTAssertTrue(pool.run(pieces: pieces, active: active) { piece, worker in
                            r.buffer[piece] += 1
                            o.buffer[piece] = worker
                        })
                    }
                }
                XCTAssertEqual(runs, [Int](repeating: 1, count: pieces))
                XCTAssertEqual(owners, (0..<pieces).map { $0 % active })
            }
        }
    }

    /// Helpers that fell asleep (idle past their spin) are woken by the next job, and a helper left out
    /// of jobs while the participant count was lowered takes part again once it is raised. Each job runs
    /// on a thread of its own so that a helper never woken fails the test instead of hanging it.
    func testSleepingAndLeftOutHelpersRejoin() {
        let pool = WorkerPool()
        for (active, sleepFirst) in [(3, false), (3, true), (2, false), (2, true), (3, true), (3, false)] {
            if sleepFirst {
                let deadline = Date().addingTimeInterval(10)
                while pool.sleepingHelpers < 2, Date() < deadline { Thread.sleep(forTimeInterval: 0.001) }
                XCTAssertEqual(pool.sleepingHelpers, 2, "both helpers asleep before the job")
            }
            let threads = UncheckedPointer(UnsafeMutableBufferPointer<pthread_t>.allocate(capacity: 7))
            defer { threads.buffer.deallocate() }
            let done = DispatchSemaphore(value: 0)
            Thread {
                threads.buffer[6] = pthread_self()
                _ = pool.run(pieces: 6, active: active) { piece, _ in threads.buffer[piece] = pthread_self() }
                done.signal()
            }.start()
            guard done.wait(timeout: .now() + 10) == .success else {
                return XCTFail("a job with \(active) participants did not finish (sleep first: \(sleepFirst))")
            }
            // Worker w runs pieces w, w + active, …: each on one thread, the caller's for worker 0 only.
            for piece in 0..<6 {
                XCTAssertEqual(pthread_equal(threads.buffer[piece], threads.buffer[piece % active]), 1)
                XCTAssertEqual(pthread_equal(threads.buffer[piece], threads.buffer[6]) != 0, piece % active == 0,
                               "piece \(piece) of \(active) participants (sleep first: \(sleepFirst))")
            }
        }
    }

    /// A helper woken on its caller's core moves to another (`prunelab_move_off_cpu`), and may still run on
    /// every core it could before.
    func testMovingOffACoreLeavesTheAllowedCoresAlone() throws {
        let allowed = prunelab_allowed_cpu_count()
        try XCTSkipIf(allowed < 2, "one core: nowhere to move")
        let first = prunelab_current_cpu()
        prunelab_move_off_cpu(first)
        let second = prunelab_current_cpu()
        XCTAssertNotEqual(second, first)
        prunelab_move_off_cpu(second)
        XCTAssertNotEqual(prunelab_current_cpu(), second)
        XCTAssertEqual(prunelab_allowed_cpu_count(), allowed)
    }

    func testNestedCallRunsSeriallyInsteadOfDeadlocking() {
        let pool = WorkerPool()
        var nestedAccepted = [Bool](repeating: true, count: 4)
        nestedAccepted.withUnsafeMutableBufferPointer { flags in
            let f = UncheckedPointer(flags)
            XCTAssertTrue(pool.run(pieces: 4, active: 2) { piece, _ in
                f.buffer[piece] = pool.run(pieces: 2, active: 2) { _, _ in }
            })
        }
        XCTAssertEqual(nestedAccepted, [false, false, false, false])
    }

    func testConcurrentCallersAllFinishWithCorrectSums() {
        let original = BLAS.threadCount
        defer { BLAS.setThreadCount(original) }
        BLAS.setThreadCount(2)
        let totals = UncheckedPointer(UnsafeMutableBufferPointer<Int>.allocate(capacity: 4))
        defer { totals.buffer.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 4) { caller in
            var sum = 0
            for _ in 0..<200 {
                var parts = [Int](repeating: 0, count: 16)
                parts.withUnsafeMutableBufferPointer { parts in
                    let p = UncheckedPointer(parts)
                    Parallel.forEach(16) { piece, _ in p.buffer[piece] = piece + caller }
                }
                sum += parts.reduce(0, +)
            }
            totals.buffer[caller] = sum
        }
        XCTAssertEqual(Array(totals.buffer), (0..<4).map { 200 * (120 + 16 * $0) })
    }
}

/// A buffer written at disjoint indices from several threads.
private struct UncheckedPointer<Element>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Element>
    init(_ buffer: UnsafeMutableBufferPointer<Element>) { self.buffer = buffer }
}
