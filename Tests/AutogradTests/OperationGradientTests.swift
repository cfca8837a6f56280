import Foundation
import XCTest
@testable import Autograd

/// Finite-difference checks of every differentiable operation.
final class OperationGradientTests: XCTestCase {
    func testArithmeticWithBroadcasting() {
        let a = randomTensor([3, 4], seed: 1), row = randomTensor([4], seed: 2), column = randomTensor([3, 1], seed: 3)
        let positive = Tensor(shape: [3, 4], values: randomTensor([3, 4], seed: 4).values.map { Swift.abs($0) + 0.5 })
        assertGradientsMatch([a, row]) { $0[0] + $0[1] }
        assertGradientsMatch([a, column]) { $0[0] - $0[1] }
        assertGradientsMatch([a, row, column]) { $0[0] * $0[1] * $0[2] }
        assertGradientsMatch([a, positive]) { $0[0] / $0[1] }
        assertGradientsMatch([a]) { 2 - $0[0] * 3 + 1 }
        assertGradientsMatch([positive]) { 1 / $0[0] }
        assertGradientsMatch([row]) { -$0[0].broadcasted(to: [2, 3, 4]) }
    }

    func testUnaryFunctions() {
        let x = randomTensor([5, 7], seed: 5, scale: 2)
        let positive = Tensor(shape: [5, 7], values: x.values.map { Swift.abs($0) + 0.3 })
        assertGradientsMatch([x]) { $0[0].exp() }
        assertGradientsMatch([positive]) { $0[0].log() }
        assertGradientsMatch([positive]) { $0[0].sqrt() }
        assertGradientsMatch([x]) { $0[0].sigmoid() }
        assertGradientsMatch([x]) { $0[0].gelu() }
        assertGradientsMatch([x]) { $0[0].silu() }
    }

    func testMatrixProductWithEveryTransposition() {
        for transposeA in [false, true] {
            for transposeB in [false, true] {
                let a = randomTensor(transposeA ? [4, 3] : [3, 4], seed: 6)
                let b = randomTensor(transposeB ? [5, 4] : [4, 5], seed: 7)
                assertGradientsMatch([a, b]) { matmul($0[0], $0[1], transposeA: transposeA, transposeB: transposeB) }
                let batchA = randomTensor([2] + a.shape, seed: 8), batchB = randomTensor([2] + b.shape, seed: 9)
                assertGradientsMatch([batchA, batchB]) {
                    matmul($0[0], $0[1], transposeA: transposeA, transposeB: transposeB)
                }
            }
        }
        let batched = randomTensor([2, 3, 4], seed: 10), shared = randomTensor([5, 4], seed: 11)
        assertGradientsMatch([batched, shared]) { matmul($0[0], $0[1], transposeB: true) }
    }

    func testLinear() {
        let x = randomTensor([2, 3, 4], seed: 12), weight = randomTensor([5, 4], seed: 13), bias = randomTensor([5], seed: 14)
        assertGradientsMatch([x, weight, bias]) { linear($0[0], weight: $0[1], bias: $0[2]) }
        assertGradientsMatch([x, weight]) { linear($0[0], weight: $0[1]) }
    }

    func testNormalizations() {
        let x = randomTensor([4, 6], seed: 15, scale: 2), weight = randomTensor([6], seed: 16), bias = randomTensor([6], seed: 17)
        assertGradientsMatch([x, weight, bias]) { layerNorm($0[0], weight: $0[1], bias: $0[2]) }
        assertGradientsMatch([x]) { layerNorm($0[0], weight: nil, bias: nil) }
        assertGradientsMatch([x, weight]) { rmsNorm($0[0], weight: $0[1]) }
        assertGradientsMatch([x]) { rmsNorm($0[0], weight: nil) }
    }

    func testSoftmaxFamiliesWithMasks() {
        let x = randomTensor([3, 5], seed: 18, scale: 2), additive = randomTensor([5], seed: 19)
        let rowMask = Tensor(shape: [3, 5], values: [1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
        let columnMask = Tensor(shape: [5], values: [1, 0, 1, 1, 0])
        for logarithm in [false, true] {
            let f = { (x: Tensor, mask: SoftmaxMask?) in logarithm ? logSoftmax(x, mask: mask) : softmax(x, mask: mask) }
            assertGradientsMatch([x]) { f($0[0], nil) }
            assertGradientsMatch([x, additive]) { f($0[0], .additive($0[1])) }
            // Excluded entries of log-softmax are −∞: probe the kept columns only.
            assertGradientsMatch([x]) { f($0[0], .boolean(columnMask)).gathered([0, 2, 3], axis: 1) }
        }
        // A fully excluded row (the middle one) is constant.
        assertGradientsMatch([x]) { softmax($0[0], mask: .boolean(rowMask)) }
    }

    func testSoftmaxWithBooleanMaskZeroesExcludedEntries() {
        let keep = Tensor(shape: [2, 3], values: [1, 0, 1, 0, 0, 0])
        let y = softmax(randomTensor([2, 3], seed: 20), mask: .boolean(keep)).values
        XCTAssertEqual(y[1], 0)
        XCTAssertEqual(y[0] + y[2], 1, accuracy: 1e-6)
        XCTAssertEqual(Array(y[3...]), [0, 0, 0])
        let x = randomTensor([2, 3], seed: 20)
        x.requiresGrad = true
        let logarithms = logSoftmax(x, mask: .boolean(keep))
        XCTAssertEqual(Array(logarithms.values[3...]), [-.infinity, -.infinity, -.infinity])
        logarithms.backward(seed: Tensor(repeating: 1, shape: [2, 3]))
        XCTAssertEqual(x.grad!.values[1], 0)
        XCTAssertEqual(Array(x.grad!.values[3...]), [0, 0, 0])
    }

    func testAttentionVariants() {
        let q = randomTensor([5, 8], seed: 21), k = randomTensor([5, 8], seed: 22), v = randomTensor([5, 8], seed: 23)
        let keep = Tensor(shape: [5], values: [0.9, 0.2, 0.6, 0.05, 0.7])
        for causal in [false, true] {
            assertGradientsMatch([q, k, v]) { attention(query: $0[0], key: $0[1], value: $0[2], heads: 2, causal: causal).output }
            assertGradientsMatch([q, k, v, keep]) {
                attention(query: $0[0], key: $0[1], value: $0[2], heads: 2, causal: causal, keep: $0[3]).output
            }
        }
        let bq = randomTensor([2, 3, 4], seed: 24), bk = randomTensor([2, 5, 4], seed: 25), bv = randomTensor([2, 5, 4], seed: 26)
        let bkeep = Tensor(shape: [2, 5], values: [1, 0.5, 0, 0.3, 1, 0.2, 1, 0.8, 0.1, 0.4])
        assertGradientsMatch([bq, bk, bv, bkeep]) {
            attention(query: $0[0], key: $0[1], value: $0[2], heads: 2, causal: true, keep: $0[3]).output
        }
    }

    func testAttentionKeepGradientWithLargeEpsilon() {
        // A large ε makes the max-path term of the gradient visible to finite differences.
        let q = randomTensor([4, 4], seed: 27, scale: 2), k = randomTensor([4, 4], seed: 28, scale: 2)
        let v = randomTensor([4, 4], seed: 29), keep = Tensor(shape: [4], values: [0.3, 0.8, 0.1, 0.6])
        assertGradientsMatch([q, k, v, keep]) {
            attention(query: $0[0], key: $0[1], value: $0[2], heads: 1, keep: $0[3], epsilon: 0.5).output
        }
    }

    func testIndexingAndJoining() {
        let x = randomTensor([4, 3, 2], seed: 30), y = randomTensor([4, 2, 2], seed: 31)
        assertGradientsMatch([x]) { $0[0].gathered([3, 1, 1, 0], axis: 0) }
        assertGradientsMatch([x]) { $0[0].gathered([2, 0, 2], axis: 1) }
        assertGradientsMatch([x, y]) { concat([$0[0], $0[1]], axis: 1) }
        assertGradientsMatch([x]) { concat([$0[0], $0[0]], axis: -1) }
        assertGradientsMatch([x]) { $0[0].sliced(axis: 0, 1..<3) }
        assertGradientsMatch([x]) { $0[0].sliced(axis: 1, 1..<3) }
        assertGradientsMatch([x]) { $0[0].reshaped([6, -1]) * $0[0].reshaped([6, 4]) }
        var source = SplitMix64(seed: 32)
        let embedding = Embedding(count: 5, width: 3, using: &source)
        assertGradientsMatch([embedding.weight]) { _ in embedding([4, 0, 4, 2]) }
    }

    func testReductions() {
        let x = randomTensor([3, 4, 5], seed: 33)
        assertGradientsMatch([x]) { $0[0].sum() }
        assertGradientsMatch([x]) { $0[0].mean() }
        for axis in [0, 1, 2, -1] {
            assertGradientsMatch([x]) { $0[0].sum(axis: axis) }
            assertGradientsMatch([x]) { $0[0].mean(axis: axis, keepingDimension: true) }
        }
    }

    func testCrossEntropy() {
        let logits = randomTensor([4, 6], seed: 34, scale: 2)
        assertGradientsMatch([logits]) { crossEntropy(logits: $0[0], targets: [1, 5, 0, 1]) }
        assertGradientsMatch([logits]) { crossEntropy(logits: $0[0], targets: [1, -100, 0, -100], ignoreIndex: -100) }
        let uniform = crossEntropy(logits: Tensor(zeros: [2, 4]), targets: [0, 3])
        XCTAssertEqual(uniform.item, logf(4), accuracy: 1e-6)
    }

    func testTransformerBlockParameters() {
        var source = SplitMix64(seed: 35)
        let block = TransformerBlock(width: 8, heads: 2, hidden: 16, using: &source)
        let x = randomTensor([5, 8], seed: 36), keep = Tensor(shape: [5], values: [1, 0.4, 1, 0.7, 0.2])
        let probed = [block.attn.wq.weight, block.norm1.weight, block.mlp.fc1.bias!, block.attn.wo.weight]
        assertGradientsMatch([x, keep] + probed, samples: 16) { input in
            block(input[0], causal: true, keep: input[1]).output
        }
    }
}
