import Autograd
import Dispatch
import Synchronization

/// Runs independent per-item work on several threads. Item `i` always gets the same computation
/// whichever thread runs it, so results do not depend on the number of workers.
enum Concurrently {
    /// Calls `body(i)` for every `i` in `0..<count` on up to `workers` threads; the first error thrown
    /// stops the remaining items and is rethrown.
    static func forEach(_ count: Int, workers: Int, _ body: (Int) throws -> Void) throws {
        let active = min(max(1, workers), count)
        guard active > 1 else {
            for index in 0..<count { try body(index) }
            return
        }
        let failure = Mutex<(any Error)?>(nil)
        withoutActuallyEscaping(body) { body in
            // Each index is handled once and writes only its own slots, which makes sharing `body` safe.
            let shared = UncheckedBox(body)
            // The items are the parallelism; the engine inside each runs single-threaded.
            BLAS.serially {
                DispatchQueue.concurrentPerform(iterations: active) { worker in
                    for index in stride(from: worker, to: count, by: active) {
                        if failure.withLock({ $0 != nil }) { return }
                        do { try shared.value(index) } catch { failure.withLock { $0 = $0 ?? error } }
                    }
                }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// `forEach` collecting one result per index, in index order.
    static func map<T>(_ count: Int, workers: Int, _ transform: (Int) throws -> T) throws -> [T] {
        var results = [T?](repeating: nil, count: count)
        try results.withUnsafeMutableBufferPointer { slots in
            let output = UncheckedBox(slots)
            try forEach(count, workers: workers) { output.value[$0] = try transform($0) }
        }
        return results.map { $0! }
    }
}

/// A value handed to other threads under a guarantee the compiler cannot check.
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
