import XCTest
@testable import Autograd

/// A transformer block's inference pass split by rows (`RowWiseBlock`) against the same block one
/// operation at a time.
final class RowWiseBlockTests: XCTestCase {
    /// The same output, keys, values and attention probabilities, bit for bit, whatever the rows, the
    /// mask, the batch axis and the number of threads.
    func testRowWiseStepGivesTheBitsOfOneOperationAtATime() throws {
        let savedThreads = Parallel.threadCount
        defer { Parallel.threadCount = savedThreads }
        var source = SplitMix64(seed: 91)
        let block = TransformerBlock(width: 64, heads: 4, hidden: 256, using: &source)
        for (_, parameter) in block.namedParameters() {  // distinct norms and biases, so a mix-up shows
            parameter.withUnsafeMutableBufferPointer { values in
                for i in values.indices { values[i] += 0.1 * source.nextGaussian() }
            }
        }
        for (shape, causal) in [([1, 64], true), ([5, 64], true), ([6, 64], false), ([22, 64], true),
                                ([2, 7, 64], true), ([0, 64], true)] {
            let x = randomTensor(shape, seed: UInt64(shape.reduce(1, *)))
            let expected = BLAS.latencyBound {
                withoutGradient { block.operationStep(x, causal: causal, keep: nil, returnProbabilities: true) }
            }
            for threads in [1, 2, 3] {
                Parallel.threadCount = threads
                let step = try XCTUnwrap(BLAS.latencyBound {
                    withoutGradient { RowWiseBlock(block, rows: RowWiseBlock.minimumRows)?.step(x, causal: causal, returnProbabilities: true) }
                })
                let context = "\(shape), causal \(causal), \(threads) threads"
                XCTAssertEqual(step.output.shape, shape, context)
                XCTAssertEqual(step.output.values, expected.output.values, context)
                XCTAssertEqual(step.key.values, expected.key.values, context)
                XCTAssertEqual(step.value.values, expected.value.values, context)
                XCTAssertEqual(step.probabilities?.values, expected.probabilities?.values, context)
                // Without the probabilities every head reuses one scratch block: the same other values.
                let plain = try XCTUnwrap(BLAS.latencyBound {
                    withoutGradient { RowWiseBlock(block, rows: RowWiseBlock.minimumRows)?.step(x, causal: causal, returnProbabilities: false) }
                })
                XCTAssertNil(plain.probabilities, context)
                XCTAssertEqual(plain.output.values, expected.output.values, context)
                XCTAssertEqual(plain.key.values, expected.key.values, context)
            }
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
