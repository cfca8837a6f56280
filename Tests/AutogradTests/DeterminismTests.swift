import XCTest
@testable import Autograd

/// Same inputs and seed give bit-identical outputs and gradients, on every run and any thread count.
final class DeterminismTests: XCTestCase {
    /// Parameters and gradients after two training steps of a block at sizes where OpenBLAS uses threads.
    func trainTwoSteps() -> [[Float]] {
        var source = SplitMix64(seed: 80)
        let block = TransformerBlock(width: 64, heads: 4, hidden: 256, using: &source)
        let x = randomTensor([2, 96, 64], seed: 81), keep = Tensor(shape: [2, 96], values: (0..<192).map { Float($0 % 7) / 6 })
        let optimizer = AdamW(parameters: block.namedParameters(), learningRate: 1e-3)
        var snapshot: [[Float]] = []
        for _ in 0..<2 {
            optimizer.zeroGradients()
            let y = block(x, causal: true, keep: keep).output
            (y * y).mean().backward()
            snapshot += block.namedParameters().map { $0.tensor.grad!.values }
            optimizer.step()
        }
        return snapshot + block.namedParameters().map(\.tensor.values)
    }

    func testRepeatedRunsAreBitIdentical() {
        XCTAssertEqual(trainTwoSteps(), trainTwoSteps())
    }

    func testThreadCountDoesNotChangeResults() {
        let original = BLAS.threadCount
        defer { BLAS.setThreadCount(original) }
        BLAS.setThreadCount(1)
        let single = trainTwoSteps()
        BLAS.setThreadCount(2)
        let double = trainTwoSteps()
        XCTAssertEqual(single, double)
        var source = SplitMix64(seed: 82)
        let stack = TransformerStack(layers: 2, width: 128, heads: 4, hidden: 512, using: &source)
        let x = randomTensor([160, 128], seed: 83)
        BLAS.setThreadCount(1)
        let a = withoutGradient { stack(x, causal: true) }.values
        BLAS.setThreadCount(2)
        let b = withoutGradient { stack(x, causal: true) }.values
        XCTAssertEqual(a, b)
    }

    /// The finer split of `BLAS.latencyBound` (a batch-1 prefill of a few dozen tokens) is also
    /// independent of the thread count.
    func testLatencyBoundSplitDoesNotDependOnThreads() {
        let original = BLAS.threadCount
        defer { BLAS.setThreadCount(original) }
        var source = SplitMix64(seed: 84)
        let stack = TransformerStack(layers: 2, width: 128, heads: 4, hidden: 512, using: &source)
        let x = randomTensor([22, 128], seed: 85)
        let outputs = [1, 2, 3].map { threads in
            BLAS.setThreadCount(threads)
            return BLAS.latencyBound { withoutGradient { stack(x, causal: true) } }.values
        }
        XCTAssertEqual(outputs[0], outputs[1])
        XCTAssertEqual(outputs[0], outputs[2])
    }

    /// `bench prefill --stages` times the block's inference pass as the block computes it: the same bits,
    /// split by rows and (below `RowWiseBlock.minimumRows`) operation by operation.
    func testStagedForwardIsTheBlock() {
        var source = SplitMix64(seed: 88)
        let block = TransformerBlock(width: 64, heads: 4, hidden: 256, using: &source)
        for rows in [22, RowWiseBlock.minimumRows - 1] {
            let x = randomTensor([rows, 64], seed: 89)
            var times = [Double](repeating: 0, count: EngineBenchmark.blockStages.count)
            let inference = BLAS.latencyBound {
                withoutGradient { (EngineBenchmark.stagedForward(block, x, causal: true, times: &times).values,
                                   block.operationStep(x, causal: true, keep: nil, returnProbabilities: false).output.values) }
            }
            XCTAssertEqual(inference.0, inference.1, "\(rows) rows")
            XCTAssert(times.allSatisfy { $0 > 0 }, "\(rows) rows")
        }
    }

    /// Products handed to the threads together give exactly what separate calls give, values and
    /// gradients, in both splits.
    func testLinearLayersTogetherEqualSeparateCalls() {
        var source = SplitMix64(seed: 86)
        let layers = [Linear(inputs: 128, outputs: 128, using: &source), Linear(inputs: 128, outputs: 384, using: &source),
                      Linear(inputs: 128, outputs: 32, bias: false, using: &source)]
        for rows in [22, 150] {
            for latencyBound in [false, true] {
                func run(_ body: (Tensor) -> [Tensor]) -> [[Float]] {
                    let x = randomTensor([rows, 128], seed: 87)
                    x.requiresGrad = true
                    let outputs = latencyBound ? BLAS.latencyBound { body(x) } : body(x)
                    outputs.enumerated().map { index, y in Float(index + 1) * (y * y).mean() }.reduce(Tensor(0), +).backward()
                    defer { layers.forEach { $0.namedParameters().forEach { $0.tensor.grad = nil } } }
                    return outputs.map(\.values) + [x.grad!.values] + layers.flatMap { $0.namedParameters().map { $0.tensor.grad!.values } }
                }
                let separate = run { x in layers.map { $0(x) } }
                let together = run { x in linear(x, layers: layers.map { ($0.weight, $0.bias) }) }
                XCTAssertEqual(separate, together, "\(rows) rows, latency-bound \(latencyBound)")
            }
        }
    }
}
