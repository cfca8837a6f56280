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
            for threads in [1, 2, 3] {
                Parallel.threadCount = threads
                for (name, returned) in [("all", { (_: Int) in true }), ("block 1", { $0 == 1 }), ("none", { _ in false })] {
                    let steps = try XCTUnwrap(BLAS.latencyBound {
                        withoutGradient {
                            RowWiseStack(blocks, rows: RowWiseBlock.minimumRows)?.steps(x, causal: causal, returnProbabilities: returned)
                        }
                    })
                    XCTAssertEqual(steps.count, blocks.count)
                    for (index, (step, expected)) in zip(steps, expected).enumerated() {
                        let context = "\(shape), causal \(causal), \(threads) threads, probabilities of \(name), block \(index)"
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
