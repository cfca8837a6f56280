import Foundation
import XCTest
@testable import Autograd

/// Modules, AdamW, the learning-rate schedule and gradient clipping.
final class TrainingTests: XCTestCase {
    func testParameterNamesMatchSafetensorsKeys() {
        var source = SplitMix64(seed: 70)
        let stack = TransformerStack(layers: 2, width: 8, heads: 2, hidden: 16, using: &source)
        let names = stack.namedParameters().map(\.name)
        XCTAssertEqual(names.count, 2 * 16)
        XCTAssertTrue(names.contains("layers.0.attn.wq.weight"))
        XCTAssertTrue(names.contains("layers.1.mlp.fc2.bias"))
        XCTAssertTrue(names.contains("layers.1.norm2.weight"))
        XCTAssertEqual(Set(names).count, names.count)
    }

    func testFreezingByPrefix() {
        var source = SplitMix64(seed: 71)
        let stack = TransformerStack(layers: 2, width: 8, heads: 2, hidden: 16, using: &source)
        stack.freeze(prefix: "layers.0.")
        XCTAssertTrue(stack.trainableParameters().allSatisfy { $0.name.hasPrefix("layers.1.") })
        let x = randomTensor([3, 8], seed: 72)
        stack(x).sum().backward()
        XCTAssertNil(stack.layers[0].attn.wq.weight.grad)
        XCTAssertNotNil(stack.layers[1].attn.wq.weight.grad)
        stack.freeze(false)
        XCTAssertEqual(stack.trainableParameters().count, 32)
    }

    func testAdamWMatchesTheUpdateRule() {
        let weight = Tensor(shape: [2], values: [1, -2]), bias = Tensor(shape: [1], values: [0.5])
        for p in [weight, bias] { p.requiresGrad = true }
        let optimizer = AdamW(parameters: [("weight", weight), ("bias", bias)], learningRate: 0.1, weightDecay: 0.5,
                              decays: { $0.name != "bias" })
        var expectedWeight: [Double] = [1, -2], m = [0.0, 0], v = [0.0, 0]
        for step in 1...3 {
            optimizer.zeroGradients()
            (weight * weight).sum().backward()  // gradient 2w
            optimizer.step()
            for i in 0..<2 {
                let g = 2 * expectedWeight[i]
                m[i] = 0.9 * m[i] + 0.1 * g
                v[i] = 0.999 * v[i] + 0.001 * g * g
                let mHat = m[i] / (1 - Foundation.pow(0.9, Double(step))), vHat = v[i] / (1 - Foundation.pow(0.999, Double(step)))
                expectedWeight[i] = expectedWeight[i] * (1 - 0.1 * 0.5) - 0.1 * mHat / (vHat.squareRoot() + 1e-8)
            }
            XCTAssertEqual(weight.values.map(Double.init)[0], expectedWeight[0], accuracy: 1e-5)
            XCTAssertEqual(weight.values.map(Double.init)[1], expectedWeight[1], accuracy: 1e-5)
        }
        XCTAssertEqual(bias.values, [0.5], "no gradient, no decay: untouched")
    }

    func testWarmupCosineSchedule() {
        let schedule = WarmupCosineSchedule(peak: 1, warmupSteps: 4, totalSteps: 14, floor: 0.1)
        XCTAssertEqual(schedule(0), 0.25)
        XCTAssertEqual(schedule(3), 1)
        XCTAssertEqual(schedule(4), 1)
        XCTAssertEqual(schedule(9), 0.55, accuracy: 1e-6)
        XCTAssertEqual(schedule(14), 0.1)
        XCTAssertEqual(schedule(100), 0.1)
    }

    func testGradientClipping() {
        let a = Tensor(shape: [2], values: [0, 0]), b = Tensor(shape: [1], values: [0])
        for p in [a, b] { p.requiresGrad = true }
        ((a * Tensor(shape: [2], values: [3, 0])).sum() + (b * 4).sum()).backward()
        XCTAssertEqual(clipGradientNorm([("a", a), ("b", b)], maxNorm: 1), 5, accuracy: 1e-6)
        XCTAssertEqual(a.grad!.values[0], 0.6, accuracy: 1e-6)
        XCTAssertEqual(b.grad!.values[0], 0.8, accuracy: 1e-6)
        XCTAssertEqual(clipGradientNorm([("a", a), ("b", b)], maxNorm: 10), 1, accuracy: 1e-5)
        XCTAssertEqual(b.grad!.values[0], 0.8, accuracy: 1e-6)
    }

    func testABlockLearnsARegressionTarget() {
        var source = SplitMix64(seed: 73)
        let block = TransformerBlock(width: 8, heads: 2, hidden: 16, using: &source)
        let x = randomTensor([6, 8], seed: 74), target = randomTensor([6, 8], seed: 75)
        let optimizer = AdamW(parameters: block.namedParameters(), learningRate: 0.01, weightDecay: 0)
        let schedule = WarmupCosineSchedule(peak: 0.01, warmupSteps: 5, totalSteps: 100)
        func loss() -> Tensor { let d = block(x, causal: true).output - target; return (d * d).mean() }
        let initial = withoutGradient { loss() }.item
        for step in 0..<100 {
            optimizer.learningRate = schedule(step)
            optimizer.zeroGradients()
            loss().backward()
            clipGradientNorm(block.namedParameters(), maxNorm: 1)
            optimizer.step()
        }
        XCTAssertLessThan(withoutGradient { loss() }.item, 0.2 * initial)
    }
}
