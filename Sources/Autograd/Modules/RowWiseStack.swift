import Synchronization

/// Consecutive transformer blocks at inference, each thread taking one share of the rows through all
/// of them in a single hand-off.
///
/// Block by block, each block would take two hand-offs, and at each the threads wait for the slower one:
/// eight waits for a 4-block prefill, each a round trip between the cores (70 ns on this machine, 350 ns in
/// its slow spells) plus whatever the shares' imbalance costs. Yet a thread needs another thread's work only
/// for attention: the keys and values of the rows its queries see. Its rows' norms, products and residual
/// sums read its own rows of the previous block's output, which it computed itself. So each share
/// publishes, block after block, that its keys and values are written, and waits, before each attention,
/// only for the shares whose keys its queries see: under a causal mask the earlier rows, so the first
/// share never waits. The passes are `RowWiseBlock`'s, on the same rows: the same bits as block by block,
/// on any number of threads.
struct RowWiseStack {
    let blocks: [RowWiseBlock]

    /// The row-wise passes of `blocks` for an input of `rows` rows, when there is at least one block,
    /// every block has a pass (see `RowWiseBlock.init`) and their MLPs are equally wide (the blocks share
    /// one scratch, in which a row of the MLP's hidden layer must stay where its thread left it).
    init?(_ blocks: some Collection<TransformerBlock>, rows: Int) {
        var rowWise = [RowWiseBlock]()
        rowWise.reserveCapacity(blocks.count)
        for block in blocks {
            guard let rowWiseBlock = RowWiseBlock(block, rows: rows),
                  rowWiseBlock.widen.outputs == rowWise.first?.widen.outputs ?? rowWiseBlock.widen.outputs
            else { return nil }
            rowWise.append(rowWiseBlock)
        }
        guard !rowWise.isEmpty else { return nil }
        self.blocks = rowWise
    }

    /// `TransformerBlock.step` of each block in turn, each on the previous block's output and the first on
    /// `x`, the probabilities returned for the blocks `returnProbabilities` picks (by index).
    func steps(_ x: Tensor, causal: Bool, returnProbabilities: (Int) -> Bool) -> [BlockStep] {
        let rows = matrixRows(of: x)
        let shares = Parallel.shareCount(rows, minimumShare: RowWiseBlock.minimumRowsPerShare)
        let scratch = RowWiseBlock.Scratch(x, hidden: blocks[0].widen.outputs, shares: shares)
        var buffers = [RowWiseBlock.Buffers](), inputs = [x]  // each block's input: `x`, then the previous output
        buffers.reserveCapacity(blocks.count)
        for (index, block) in blocks.enumerated() {
            buffers.append(block.buffers(for: inputs[index], returnProbabilities: returnProbabilities(index), scratch: scratch))
            inputs.append(buffers[index].result)
        }
        var passes = [RowWiseBlock.Pass]()  // share by share, each share's blocks in turn
        passes.reserveCapacity(shares * blocks.count)
        for share in 0..<shares {
            for index in blocks.indices {
                passes.append(RowWiseBlock.Pass(blocks[index], on: inputs[index], buffers[index], share: share))
            }
        }
        withExtendedLifetime((x, buffers)) {
            if shares > 1, run(passes, rows: rows, shares: shares, causal: causal) { return }
            // One share, or the threads are busy: the caller takes every row through the blocks.
            for pass in passes.prefix(blocks.count) {
                pass.prepareAttention(0..<rows)
                pass.finish(0..<rows, causal: causal)
            }
        }
        return buffers.map(\.step)
    }

    /// `passes` (each share's blocks in turn) on `shares` shares of the rows, a thread each; false, without
    /// running anything, when that many threads are not free. The threads read the passes and the counters
    /// through plain pointers, so they change no reference count (whose cache line the other thread would
    /// then have to take back).
    private func run(_ passes: [RowWiseBlock.Pass], rows: Int, shares: Int, causal: Bool) -> Bool {
        let progress = Progress(shares: shares)
        defer { progress.deallocate() }
        let bounds = shareBounds(rows: rows, shares: shares, causal: causal, layout: passes[0].attention)
        let blockCount = blocks.count
        return passes.withUnsafeBufferPointer { passes in
            bounds.withUnsafeBufferPointer { bounds in
                Parallel.together(shares) { share in
                    let range = bounds[share]..<bounds[share + 1], first = share * blockCount
                    for index in 0..<blockCount {
                        let pass = passes[first + index]
                        pass.prepareAttention(range)
                        progress.publish(share, blocksReady: index + 1)
                        for other in 0..<(causal ? share : shares) where other != share {
                            progress.wait(for: other, blocksReady: index + 1)
                        }
                        pass.finish(range, causal: causal)
                    }
                }
            }
        }
    }

    /// Where each share's rows start, and their end, so that the shares cost about the same. Every row
    /// takes the same products, but under a causal mask a query attends to more keys the later it comes:
    /// at 149 rows the later half's attention costs 3 × the earlier half's, 8 % of a share's work, so an
    /// even split left the first thread waiting for the second at the end of every prefill.
    func shareBounds(rows: Int, shares: Int, causal: Bool, layout: AttentionLayout) -> [Int] {
        // Per row and block, in floating-point operations (`TransformerBlock.forwardFLOPs`' terms).
        let width = Double(layout.width), products = blocks.reduce(0.0) { sum, block in
            sum + 8 * width * width + 4 * width * Double(block.widen.outputs)
        }
        func cost(_ row: Int) -> Double {
            products + Double(blocks.count) * 4 * width * Double(layout.visibleKeys(query: row % layout.queries, causal: causal))
        }
        let total = (0..<rows).reduce(0.0) { $0 + cost($1) }
        var bounds = [0], sum = 0.0
        for row in 0..<rows where bounds.count < shares {
            // A share ends where the running cost comes closest to its part of the total, leaving at
            // least a row for each share after it.
            let target = total * Double(bounds.count) / Double(shares), next = sum + cost(row)
            if next - target > target - sum || rows - row == shares - bounds.count { bounds.append(row) }
            sum = next
        }
        return bounds + [rows]
    }

    /// How many blocks' keys and values each share has written: a counter per share, each in a cache line
    /// of its own, so that a share publishing its progress never takes the line another share spins on.
    private struct Progress: @unchecked Sendable {
        /// Counters 128 bytes apart, from a 128-byte boundary (the adjacent-line prefetcher fetches lines in
        /// pairs).
        private static let spacing = 128 / MemoryLayout<Atomic<Int>>.stride
        private let counters: UnsafeMutablePointer<Atomic<Int>>
        private let shares: Int

        init(shares: Int) {
            self.shares = shares
            counters = UnsafeMutableRawPointer.allocate(byteCount: shares * 128, alignment: 128)
                .bindMemory(to: Atomic<Int>.self, capacity: shares * Self.spacing)
            for share in 0..<shares { (counters + share * Self.spacing).initialize(to: Atomic(0)) }
        }

        func publish(_ share: Int, blocksReady: Int) {
            counters[share * Self.spacing].store(blocksReady, ordering: .releasing)
        }

        /// Returns once `share` has published at least `blocksReady` blocks.
        func wait(for share: Int, blocksReady: Int) {
            Spinning.until { counters[share * Self.spacing].load(ordering: .acquiring) >= blocksReady }
        }

        func deallocate() {
            for share in 0..<shares { (counters + share * Self.spacing).deinitialize(count: 1) }
            counters.deallocate()
        }
    }
}
