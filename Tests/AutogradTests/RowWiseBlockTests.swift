import XCTest
@testable import Autograd

/// Transformer blocks' inference pass split by rows (`RowWiseBlock`, `RowWiseStack`) against the same
/// blocks one operation at a time.
final class RowWiseBlockTests: XCTestCase {
    /// Consecutive blocks each thread takes its rows through give every block's output, keys, values and
    /// attention probabilities bit for bit, whatever the rows, the mask, the batch axis, the number of
    /// threads and the blocks whose probabilities are returned.
    func testRowWiseStepsGiveTheBitsOfOneOperationAtATime() throws {
        let savedThreads = Parallel.threadCount
        defer { Parallel.threadCount = savedThreads }
        var source = SplitMix64(seed: 91)
        let blocks = (0..<3).map { _ in TransformerBlock(width: 64, heads: 4, hidden: 256, using: &source) }
        for block in blocks {
            for (_, parameter) in block.namedParameters() {  // distinct norms and biases, so a mix-up shows
                parameter.withUnsafeMutableBufferPointer { values in
                    for i in values.indices { values[i] += 0.1 * source.nextGaussian() }
                }
            }
        }
        for (shape, causal) in [([1, 64], true), ([5, 64], true), ([6, 64], false), ([22, 64], true),
                                ([40, 64], false), ([2, 7, 64], true), ([0, 64], true)] {
            let x = randomTensor(shape, seed: UInt64(shape.reduce(1, *)))
            var input = x
            let expected = blocks.map { block in
                let step = BLAS.latencyBound {
                    withoutGradient { block.operationStep(input, causal: causal, keep: nil, returnProbabilities: true) }
                }
                input = step.output
                return step
            }
            // Inside `BLAS.serially` the scratch is laid out for the threads' shares but the caller takes
            // every row through share 0's passes.
            for (threads, serially) in [(1, false), (2, false), (3, false), (2, true), (3, true)] {
                Parallel.threadCount = threads
                for (name, returned) in [("all", { (_: Int) in true }), ("block 1", { $0 == 1 }), ("none", { _ in false })] {
                    let run = {
                        BLAS.latencyBound {
                            withoutGradient {
                                RowWiseStack(blocks, rows: RowWiseBlock.minimumRows)?.steps(x, causal: causal, returnProbabilities: returned)
                            }
                        }
                    }
                    let steps = try XCTUnwrap(serially ? BLAS.serially(run) : run())
                    XCTAssertEqual(steps.count, blocks.count)
                    for (index, (step, expected)) in zip(steps, expected).enumerated() {
                        let context = "\(shape), causal \(causal), \(threads) threads\(serially ? " serially" : ""), probabilities of \(name), block \(index)"
                        XCTAssertEqual(step.output.shape, shape, context)
                        XCTAssertEqual(step.output.values, expected.output.values, context)
                        XCTAssertEqual(step.key.values, expected.key.values, context)
                        XCTAssertEqual(step.value.values, expected.value.values, context)
                        XCTAssertEqual(step.probabilities?.values, returned(index) ? expected.probabilities?.values : nil, context)
                    }
                }
            }
        }
    }

    /// Split into shares, each share's rows of every scratch buffer, as its passes address them, lie at
    /// least a page from any other share's rows of any buffer.
    func testScratchKeepsAPageBetweenShares() throws {
        var source = SplitMix64(seed: 96)
        let blocks = (0..<2).map { _ in TransformerBlock(width: 64, heads: 4, hidden: 256, using: &source) }
        for (shape, shares) in [([21, 64], 2), ([149, 64], 3), ([2, 7, 64], 2)] {
            let x = randomTensor(shape, seed: 5), rows = matrixRows(of: x), tokens = shape[shape.count - 2]
            try BLAS.latencyBound {
                try withoutGradient {
                    let stack = try XCTUnwrap(RowWiseStack(blocks, rows: rows))
                    let scratch = RowWiseBlock.Scratch(x, hidden: 256, shares: shares)
                    let buffers = stack.blocks[0].buffers(for: x, returnProbabilities: false, scratch: scratch)
                    let bounds = stack.shareBounds(rows: rows, shares: shares, causal: true, layout: buffers.attention)
                    // Byte ranges [start, end) of each share's rows in each buffer, with the bytes per row.
                    var ranges: [(start: Int, end: Int, label: String)] = []
                    for share in 0..<shares {
                        let pass = RowWiseBlock.Pass(stack.blocks[0], on: x, buffers, share: share)
                        let rowsOf = bounds[share]..<bounds[share + 1]
                        for (name, pointer, width) in [("normalized", pass.normalized, 64), ("queries", pass.queries, 64),
                                                       ("attended", pass.attended, 64), ("mixed", pass.mixed, 64),
                                                       ("hidden", pass.hidden, 256), ("probabilities", pass.probabilities, tokens)] {
                            let start = Int(bitPattern: pointer + rowsOf.lowerBound * width)
                            ranges.append((start, start + rowsOf.count * width * 4, "\(shape) share \(share) \(name)"))
                        }
                    }
                    ranges.sort { $0.start < $1.start }
                    for (a, b) in zip(ranges, ranges.dropFirst()) {
                        XCTAssertGreaterThanOrEqual(b.start - a.end, 4096, "\(a.label) then \(b.label)")
                    }
                }
            }
        }
    }

    /// The threads' shares of a stack's rows cost about the same: under a causal mask the later rows, whose
    /// queries see more keys, go in smaller shares; without it the shares are even.
    func testSharesCostAboutTheSame() throws {
        var source = SplitMix64(seed: 94)
        let blocks = (0..<2).map { _ in TransformerBlock(width: 64, heads: 4, hidden: 256, using: &source) }
        for (rows, shares) in [(149, 2), (149, 3), (21, 2), (RowWiseBlock.minimumRows, 2)] {
            let stack = try XCTUnwrap(BLAS.latencyBound { withoutGradient { RowWiseStack(blocks, rows: rows) } })
            let x = Tensor(zeros: [rows, 64])
            let layout = AttentionLayout(query: x, key: x, value: x, heads: 4, keep: nil)
            for causal in [true, false] {
                let bounds = stack.shareBounds(rows: rows, shares: shares, causal: causal, layout: layout)
                let context = "\(rows) rows, \(shares) shares, causal \(causal)"
                XCTAssertEqual(bounds.count, shares + 1, context)
                XCTAssertEqual(bounds.first, 0, context)
                XCTAssertEqual(bounds.last, rows, context)
                XCTAssert(zip(bounds, bounds.dropFirst()).allSatisfy { $0 < $1 }, "\(context): \(bounds)")
                // A block's rows before row n cost `forwardFLOPs(tokens: n)` under the causal mask (and n of
                // `rows` equal rows' cost without it), so each share's cost is a difference.
                func cost(_ n: Int) -> Double {
                    causal ? TransformerBlock.forwardFLOPs(tokens: n, width: 64, hidden: 256, causalPairsOnly: true)
                        : TransformerBlock.forwardFLOPs(tokens: rows, width: 64, hidden: 256, causalPairsOnly: false)
                            * Double(n) / Double(rows)
                }
                let costs = zip(bounds, bounds.dropFirst()).map { cost($1) - cost($0) }
                let lastRow = cost(rows) - cost(rows - 1)
                XCTAssertLessThanOrEqual(costs.max()! - costs.min()!, lastRow, "\(context): \(bounds)")
            }
        }
        let x = Tensor(zeros: [149, 64]), stack = try XCTUnwrap(BLAS.latencyBound { withoutGradient { RowWiseStack(blocks, rows: 149) } })
        let layout = AttentionLayout(query: x, key: x, value: x, heads: 4, keep: nil)
        XCTAssertGreaterThan(stack.shareBounds(rows: 149, shares: 2, causal: true, layout: layout)[1], 76)
    }

    /// A stack needs at least one block, and MLPs of one width (its blocks share a scratch); other blocks
    /// run one at a time, with the same values.
    func testMixedWidthsAndEmptyStacksRunBlockByBlock() {
        var source = SplitMix64(seed: 95)
        let blocks = [TransformerBlock(width: 32, heads: 2, hidden: 64, using: &source),
                      TransformerBlock(width: 32, heads: 2, hidden: 128, using: &source)]
        let x = randomTensor([20, 32], seed: 96)
        BLAS.latencyBound {
            withoutGradient {
                XCTAssertNil(RowWiseStack(blocks, rows: 20))
                XCTAssertNil(RowWiseStack([TransformerBlock](), rows: 20))
                XCTAssertNotNil(RowWiseStack(blocks[..<1], rows: 20))
                let first = blocks[0].step(x, causal: true)
                XCTAssertEqual(TransformerBlock.steps(blocks, x, causal: true).map(\.output.values),
                               [first.output.values, blocks[1].step(first.output, causal: true).output.values])
                XCTAssertTrue(TransformerBlock.steps([TransformerBlock](), x).isEmpty)
            }
        }
    }

    /// `TransformerBlock.steps` gives what the blocks' own steps give in turn, split by rows or not
    /// (few rows, gradients on), and a stack applied to `x` the last of them.
    func testStepsAreTheBlocksInTurn() {
        var source = SplitMix64(seed: 93)
        let stack = TransformerStack(layers: 2, width: 32, heads: 2, hidden: 64, using: &source)
        for (rows, recording) in [(RowWiseBlock.minimumRows - 1, false), (20, false), (20, true)] {
            let x = randomTensor([rows, 32], seed: UInt64(rows))
            func run() -> (steps: [BlockStep], inTurn: [BlockStep], stacked: Tensor) {
                let first = stack.layers[0].step(x, causal: true, returnProbabilities: true)
                return (TransformerBlock.steps(stack.layers, x, causal: true, returnProbabilities: { $0 == 0 }),
                        [first, stack.layers[1].step(first.output, causal: true)], stack(x, causal: true))
            }
            let (steps, inTurn, stacked) = BLAS.latencyBound { recording ? run() : withoutGradient(run) }
            let context = "\(rows) rows, gradients \(recording)"
            XCTAssertEqual(steps.map(\.output.values), inTurn.map(\.output.values), context)
            XCTAssertEqual(steps.map(\.key.values), inTurn.map(\.key.values), context)
            XCTAssertEqual(steps.map { $0.probabilities?.values }, inTurn.map { $0.probabilities?.values }, context)
            XCTAssertEqual(stacked.values, steps[1].output.values, context)
        }
    }

    /// It applies only where the packed-weight kernel does, in a latency-bound region without gradients,
    /// and from `minimumRows` rows.
    func testRowWiseStepOnlyAtInferenceOnEnoughRows() {
        var source = SplitMix64(seed: 92)
        let block = TransformerBlock(width: 32, heads: 2, hidden: 64, using: &source)
        let rows = RowWiseBlock.minimumRows
        XCTAssertNil(RowWiseBlock(block, rows: rows))
        XCTAssertNil(BLAS.latencyBound { RowWiseBlock(block, rows: rows) })
        XCTAssertNil(withoutGradient { RowWiseBlock(block, rows: rows) })
        XCTAssertNotNil(BLAS.latencyBound { withoutGradient { RowWiseBlock(block, rows: rows) } })
        XCTAssertNil(BLAS.latencyBound { withoutGradient { RowWiseBlock(block, rows: rows - 1) } })
    }
}
