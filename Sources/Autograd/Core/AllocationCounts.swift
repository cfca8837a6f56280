import Synchronization

/// How many tensor buffers the engine has handed out and how many bytes of them were newly allocated
/// (not recycled by the buffer pool), since the process started. The difference of two readings
/// measures what a loop allocates in steady state.
public struct AllocationCounts: Sendable, Equatable {
    /// Tensor buffers handed out, recycled or not.
    public let buffers: Int
    /// Bytes of buffers that had to be newly allocated.
    public let freshBytes: Int

    /// The counts so far.
    public static var current: AllocationCounts {
        AllocationCounts(buffers: handedOut.load(ordering: .relaxed), freshBytes: freshlyAllocated.load(ordering: .relaxed))
    }

    /// What was allocated between `earlier` and `self`.
    public static func - (later: AllocationCounts, earlier: AllocationCounts) -> AllocationCounts {
        AllocationCounts(buffers: later.buffers - earlier.buffers, freshBytes: later.freshBytes - earlier.freshBytes)
    }

    static let handedOut = Atomic<Int>(0)
    static let freshlyAllocated = Atomic<Int>(0)
}
