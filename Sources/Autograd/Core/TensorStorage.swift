import Synchronization

/// The owned, 64-byte-aligned Float32 buffer behind one or more tensors.
///
/// Tensors that are views (reshapes, leading-axis slices, detached copies) share one storage, which
/// returns its memory to `BufferPool` when the last of them goes away.
final class TensorStorage: @unchecked Sendable {
    let base: UnsafeMutablePointer<Float>
    let capacity: Int
    /// Counts in-place updates of values already in use (optimiser steps, loaded weights, writes through
    /// `Tensor.withUnsafeMutableBufferPointer`), so that what is derived from the values knows when it is stale.
    let version = Atomic<Int>(0)
    /// The values packed for the inference kernel, when they are a weight matrix (see `PackedWeights`).
    let packed = Mutex<PackedWeights?>(nil)

    /// Uninitialised memory for `capacity` floats; callers write every element before reading.
    init(capacity: Int) {
        self.capacity = capacity
        base = BufferPool.shared.take(capacity)
    }

    deinit { BufferPool.shared.give(base, capacity) }
}

/// Recently freed buffers, reused by exact size: loops that repeat the same shapes (inference, training
/// steps) then stop paying for fresh memory and its page faults, and a steady-state prefill allocates
/// nothing new.
final class BufferPool: Sendable {
    static let shared = BufferPool()

    /// The most floats kept idle in the pool.
    private static let maximumIdle = 1 << 26

    private struct State {
        var idle: [Int: [UInt]] = [:]  // addresses by capacity, kept as integers to stay Sendable
        var idleFloats = 0
    }
    private let state = Mutex(State())

    func take(_ capacity: Int) -> UnsafeMutablePointer<Float> {
        AllocationCounts.handedOut.add(1, ordering: .relaxed)
        let recycled = state.withLock { state -> UInt? in
            guard let address = state.idle[capacity]?.popLast() else { return nil }
            state.idleFloats -= capacity
            return address
        }
        if let recycled { return UnsafeMutablePointer(bitPattern: recycled)! }
        let count = max(capacity, 1)
        AllocationCounts.freshlyAllocated.add(count * MemoryLayout<Float>.stride, ordering: .relaxed)
        return UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: count)
    }

    func give(_ buffer: UnsafeMutablePointer<Float>, _ capacity: Int) {
        let address = UInt(bitPattern: buffer)
        let kept = state.withLock { state in
            guard state.idleFloats + capacity <= Self.maximumIdle else { return false }
            state.idle[capacity, default: []].append(address)
            state.idleFloats += capacity
            return true
        }
        if !kept { buffer.deallocate() }
    }
}
