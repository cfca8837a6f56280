import XCTest
@testable import Autograd

/// A per-token pipeline split by rows at inference against its modules applied one at a time.
final class RowWisePipelineTests: XCTestCase {
    /// The same bits as the modules in turn, whatever the rows, sequences and number of threads, with GELUs
    /// both fused into a product and standing alone, pooling first, inside, last, twice and of one channel,
    /// and parameters randomised so that a mix-up shows.
    func testPipelineGivesTheBitsOfItsModulesInTurn() {
        let savedThreads = Parallel.threadCount
        defer { Parallel.threadCount = savedThreads }
        var source = SplitMix64(seed: 93)
        let (first, norm, head) = (Linear(inputs: 48, outputs: 40, using: &source), LayerNorm(width: 40),
                                   Linear(inputs: 40, outputs: 1, using: &source))
        let unbiased = Linear(inputs: 40, outputs: 24, bias: false, using: &source)
        for module in [first, norm, head] as [any Module] {
            for (_, parameter) in module.namedParameters() {
                parameter.withUnsafeMutableBufferPointer { values in
                    for i in values.indices { values[i] += 0.1 * source.nextGaussian() }
                }
            }
        }
        let pipelines: [[RowWisePipeline.Stage]] = [
            [.linear(first), .layerNorm(norm), .gelu, .linear(head)],
            [.layerNorm(LayerNorm(width: 48)), .linear(first), .gelu],
            [.linear(first), .gelu, .linear(head)],
            [.linear(first), .linear(unbiased), .gelu, .layerNorm(LayerNorm(width: 24))],
            [.gelu],
            [],
            [.layerNorm(LayerNorm(width: 48)), .linear(first), .gelu, .poolTokens(from: 16, epsilon: 1e-6),
             .linear(unbiased), .gelu],
            [.linear(first), .poolTokens(from: 0, epsilon: 0.5)],
            [.linear(first), .gelu, .poolTokens(from: 13, epsilon: 1e-6), .linear(head)],  // 27 pooled: a scalar tail
            [.poolTokens(from: 40, epsilon: 0), .linear(first)],
            [.linear(first), .gelu, .poolTokens(from: 16, epsilon: 1e-6), .linear(unbiased), .gelu,
             .poolTokens(from: 8, epsilon: 1e-6), .layerNorm(LayerNorm(width: 24))],  // two pooling stages
            [.linear(first), .poolTokens(from: 20, epsilon: 1e-6), .poolTokens(from: 30, epsilon: 0.5), .linear(head)],
            [.linear(first), .poolTokens(from: 39, epsilon: 1e-6), .linear(head)],  // one pooled channel
        ]
        for (index, stages) in pipelines.enumerated() {
            // Sequences within one share, over two and three shares, a share carrying a sum in and another
            // out, one-row sequences.
            for shape in [[1, 48], [15, 48], [16, 48], [33, 48], [144, 48], [1, 40, 48], [1, 48, 48], [3, 20, 48],
                          [2, 33, 48], [5, 13, 48], [40, 1, 48], [2, 1, 48]] {
                let x = randomTensor(shape, seed: UInt64(shape.reduce(1, *)))
                let expected = BLAS.latencyBound { withoutGradient { stages.reduce(x) { x, stage in
                    switch stage {
                    case .linear(let layer): layer(x)
                    case .layerNorm(let norm): norm(x)
                    case .gelu: x.gelu()
                    case .poolTokens(let from, let epsilon):
                        concat([x.sliced(axis: x.rank - 1, 0..<from),
                                (x.sliced(axis: x.rank - 1, from..<x.shape.last!).sum(axis: x.rank - 2, keepingDimension: true)
                                    / Tensor(Float(x.shape[x.rank - 2]) + epsilon))
                                    .broadcasted(to: x.shape.dropLast() + [x.shape.last! - from])], axis: x.rank - 1)
                    }
                } } }
                // Inside `BLAS.serially` the threads' shares run one after another: the segment-by-segment path.
                for (threads, serially) in [(1, false), (2, false), (3, false), (4, false), (2, true), (3, true)] {
                    Parallel.threadCount = threads
                    let run = { BLAS.latencyBound { withoutGradient { RowWisePipeline(stages)(x) } } }
                    let result = serially ? BLAS.serially(run) : run()
                    let label = "pipeline \(index), \(shape), \(threads) threads\(serially ? ", serially" : "")"
                    XCTAssertEqual(result.shape, expected.shape, label)
                    XCTAssertEqual(result.values, expected.values, label)
                }
            }
        }
    }

    /// One pipeline called again and again (as a pruner's is) follows its weights when their values change,
    /// and its input's width when that changes.
    func testReusedPipelineFollowsChangedWeightsAndWidths() {
        var source = SplitMix64(seed: 95)
        let layer = Linear(inputs: 8, outputs: 16, using: &source), norm = LayerNorm(width: 16)
        let pipeline = RowWisePipeline([.linear(layer), .gelu, .layerNorm(norm)])
        let x = randomTensor([20, 8], seed: 9)
        func inference(_ body: () -> Tensor) -> [Float] { BLAS.latencyBound { withoutGradient(body) }.values }
        let before = inference { pipeline(x) }
        XCTAssertEqual(before, inference { norm(layer(x).gelu()) })
        layer.weight.withUnsafeMutableBufferPointer { weights in
            for i in weights.indices { weights[i] *= -2 }
        }
        let after = inference { pipeline(x) }
        XCTAssertNotEqual(after, before)
        XCTAssertEqual(after, inference { norm(layer(x).gelu()) })

        let gelu = RowWisePipeline([.gelu])
        for width in [8, 12, 8] {
            let y = randomTensor([3, width], seed: UInt64(width))
            let result = BLAS.latencyBound { withoutGradient { gelu(y) } }
            XCTAssertEqual(result.shape, [3, width])
            XCTAssertEqual(result.values, inference { y.gelu() })
        }
    }

    /// With gradients on it records the modules' operations: its gradients match finite differences.
    func testPipelineGradientsMatchFiniteDifferences() {
        var source = SplitMix64(seed: 94)
        let layer = Linear(inputs: 6, outputs: 4, using: &source), norm = LayerNorm(width: 4)
        assertGradientsMatch([randomTensor([3, 6], seed: 7), layer.weight, norm.weight]) {
            RowWisePipeline([.linear(layer), .layerNorm(norm), .gelu])($0[0])
        }
        assertGradientsMatch([randomTensor([2, 3, 6], seed: 8), layer.weight]) {
            RowWisePipeline([.linear(layer), .poolTokens(from: 1, epsilon: 1e-6), .gelu])($0[0])
        }
    }
}
