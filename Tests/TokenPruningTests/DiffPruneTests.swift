import Autograd
import Foundation
import Statistics
import SyntheticVQA
import TinyVLM
import XCTest
@testable import TokenPruning

final class LapSumTests: XCTestCase {
    func testRowsSumToKForExtremeScoresAndTemperatures() {
        let random = RandomStream(seed: 1, path: ["lapsum"])
        for scale in [1e-3, 1.0, 30.0, 1e4] as [Double] {
            for temperature: Float in [0.01, 0.1, 1, 2, 50] {
                for k in [1, 16, 100, 143] {
                    let scores = Tensor(shape: [2, 144], values: (0..<288).map { _ in Float(random.gaussian(sigma: scale)) })
                    let alpha = LapSumTopK.membership(scores, k: k, temperature: temperature).values
                    for row in 0..<2 {
                        let sum = alpha[(row * 144)..<((row + 1) * 144)].reduce(0.0) { $0 + Double($1) }
                        XCTAssertEqual(sum, Double(k), accuracy: 1e-5, "scale \(scale) τ \(temperature) k \(k)")
                    }
                    XCTAssertTrue(alpha.allSatisfy { $0 >= 0 && $0 <= 1 })
                }
            }
        }
        // All scores equal: every token gets k/n.
        let flat = LapSumTopK.membership(Tensor(repeating: 3, shape: [1, 8]), k: 2, temperature: 0.5).values
        for value in flat { XCTAssertEqual(value, 0.25, accuracy: 1e-6) }
    }

    func testGradientMatchesFiniteDifferences() {
        let random = RandomStream(seed: 2, path: ["lapsum-grad"])
        let n = 12, k = 4
        let values = (0..<n).map { _ in Float(random.gaussian()) }
        let weights = (0..<n).map { _ in Float(random.gaussian()) }
        let temperature: Float = 0.7
        func loss(_ v: [Float]) -> Double {
            let alpha = LapSumTopK.membership(Tensor(shape: [1, n], values: v), k: k, temperature: temperature).values
            return zip(alpha, weights).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
        let scores = Tensor(shape: [1, n], values: values)
        scores.requiresGrad = true
        (LapSumTopK.membership(scores, k: k, temperature: temperature) * Tensor(shape: [1, n], values: weights)).sum().backward()
        let analytic = scores.grad!.values
        let h: Float = 1e-2
        for j in 0..<n {
            var plus = values, minus = values
            plus[j] += h
            minus[j] -= h
            let numeric = (loss(plus) - loss(minus)) / Double(2 * h)
            XCTAssertEqual(Double(analytic[j]), numeric, accuracy: 2e-3 * max(1, abs(numeric)), "token \(j)")
        }
        // The soft top-K conserves its budget, so the gradient of Σα is zero.
        scores.zeroGradient()
        LapSumTopK.membership(scores, k: k, temperature: temperature).sum().backward()
        for g in scores.grad!.values { XCTAssertEqual(g, 0, accuracy: 1e-5) }
    }
}

final class ThrottlerTests: XCTestCase {
    /// VP noise keeps per-token variance: for unit-variance tokens, x̃ has unit variance at any α.
    func testVPNoisePreservesVariance() {
        let random = RandomStream(seed: 3, path: ["vp"])
        let width = 4096
        for a: Float in [0, 0.1, 0.5, 0.9, 1] {
            let features = Tensor(shape: [1, 1, width], values: (0..<width).map { _ in Float(random.gaussian()) })
            let throttled = InformationThrottler.vpNoise.apply(features, alpha: Tensor(shape: [1, 1], values: [a]),
                                                               hard: nil, noise: random).values
            let mean = throttled.reduce(0, +) / Float(width)
            let variance = throttled.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(width)
            XCTAssertEqual(variance, 1, accuracy: 0.08, "α = \(a)")
        }
    }

    func testScaleGateAndStraightThrough() {
        let features = Tensor(shape: [1, 2, 2], values: [1, 2, 3, 4])
        let alpha = Tensor(shape: [1, 2], values: [0.5, 0.25])
        let random = RandomStream(seed: 0, path: ["gate"])
        XCTAssertEqual(InformationThrottler.scaleGate.apply(features, alpha: alpha, hard: nil, noise: random).values, [0.5, 1, 0.75, 1])
        // Gumbel-STE: the hard mask forward, α's gradient backward.
        alpha.requiresGrad = true
        let hard = Tensor(shape: [1, 2], values: [1, 0])
        let out = InformationThrottler.gumbelSTE.apply(features, alpha: alpha, hard: hard, noise: random)
        XCTAssertEqual(out.values, [1, 2, 0, 0])
        out.sum().backward()
        XCTAssertEqual(alpha.grad!.values, [3, 7])
    }
}

final class LearnedPrunerTrainingTests: XCTestCase {
    let model = PrunerContractTests.model
    let suite = TaskSuite(layout: PrunerContractTests.configuration.layout, seed: 5, testItemsPerFamily: 10)

    private func batch() -> TrainingBatch {
        let items = (0..<4).map { suite.trainingItem(TaskFamily.allCases[$0], 0) }
        return TrainingBatch(items: items, layout: suite.layout, vocabulary: .standard)
    }

    /// The scorer's gradient is non-zero and reaches it through the throttled tokens: with the throttle
    /// switched off (α forced to 1 by k = N) it vanishes.
    func testDiffPruneScorerGradientFlowsThroughTheThrottledTokens() {
        model.freeze()
        var configuration = DiffPrunePruner.Configuration()
        configuration.training.keepRatio = 0.25
        let pruner = DiffPrunePruner(configuration: configuration, visionWidth: 16)
        let loss = pruner.trainingLoss(model: model, batch: batch(), progress: 0.5, random: RandomStream(seed: 1, path: ["t"]))
        loss.backward()
        let head = pruner.scorer.head.weight.grad!.values
        XCTAssertGreaterThan(head.map(abs).max()!, 1e-6)
        XCTAssertNil(model.languageModel.head.weight.grad, "the model must stay frozen")

        configuration.training.keepRatio = 1
        let full = DiffPrunePruner(configuration: configuration, visionWidth: 16)
        full.trainingLoss(model: model, batch: batch(), progress: 0.5, random: RandomStream(seed: 1, path: ["t"])).backward()
        XCTAssertEqual(full.scorer.head.weight.grad?.values.map(abs).max() ?? 0, 0, accuracy: 1e-7)
    }

    func testGumbelMaskIsHardForwardAndSoftBackward() {
        let random = RandomStream(seed: 4, path: ["gumbel"])
        let logits = Tensor(shape: [1, 5, 2], values: (0..<10).map { _ in Float(random.gaussian()) })
        logits.requiresGrad = true
        let logProbabilities = logSoftmax(logits)
        let mask = GumbelPruner.hardGumbelKeep(logProbabilities, temperature: 1, random: random)
        XCTAssertTrue(mask.values.allSatisfy { $0 == 0 || $0 == 1 })
        mask.sum().backward()
        let gradient = logits.grad!.values
        XCTAssertGreaterThan(gradient.map(abs).max()!, 1e-4, "the soft sample's gradient must flow")
    }

    func testPrunersTrainOnEveryFamilyEquallyWhateverTheModelsMix() {
        let settings = PrunerTraining.batchSettings(batchSize: 8)
        XCTAssertNotEqual(SubstrateTrainer.Settings().families, TaskFamily.allCases, "the model's default mix is weighted")
        XCTAssertEqual(settings.families, TaskFamily.allCases)
        XCTAssertEqual(settings.batchSize, 8)
        XCTAssertEqual(settings.dropoutShare, 0)
        XCTAssertEqual(settings.curriculumShare, 0)
    }

    func testTemperatureIsCosineAnnealed() {
        let pruner = DiffPrunePruner(visionWidth: 16)
        XCTAssertEqual(pruner.temperature(0), 2, accuracy: 1e-6)
        XCTAssertEqual(pruner.temperature(0.5), 1.05, accuracy: 1e-5)
        XCTAssertEqual(pruner.temperature(1), 0.1, accuracy: 1e-6)
    }

    func testTrainedWeightsAreCachedByConfigurationHashAndReloaded() throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("prunelab-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        let environment = PrunerEnvironment(model: model, keepRatio: 0.25, seed: 9, options: PrunerOptions(["steps": "3"]),
                                            weightsCache: cache)
        let first = try PrunerRegistry.shared.make("diffprune", environment: environment) as! DiffPrunePruner
        let file = cache.appendingPathComponent(first.weightsFileName)
        XCTAssertTrue(FileManager.default.fileExists(atPath: file.path))
        var noTraining = environment
        noTraining.allowTraining = false
        let second = try PrunerRegistry.shared.make("diffprune", environment: noTraining) as! DiffPrunePruner
        XCTAssertEqual(first.scorer.head.weight.values, second.scorer.head.weight.values)
        // A different budget is a different configuration.
        XCTAssertNotEqual(first.configurationHash,
                          DiffPrunePruner(configuration: { var c = first.configuration; c.training.keepRatio = 0.5; return c }(), visionWidth: 16).configurationHash)
    }
}

final class EstimatorTests: XCTestCase {
    /// The straight-through mask's backward is exactly the soft Gumbel sample's gradient.
    func testGumbelBackwardIsTheSoftSamplesGradient() {
        let values = (0..<12).map { Float($0 % 5) * 0.3 - 0.6 }
        func gradient(_ body: (Tensor) -> Tensor) -> [Float] {
            let logits = Tensor(shape: [1, 6, 2], values: values)
            logits.requiresGrad = true
            (body(logSoftmax(logits)) * Tensor(shape: [1, 6], values: [1, -2, 3, 0.5, -1, 2])).sum().backward()
            return logits.grad!.values
        }
        let hard = gradient { GumbelPruner.hardGumbelKeep($0, temperature: 0.7, random: RandomStream(seed: 5, path: ["g"])) }
        let soft = gradient { logProbabilities in
            let random = RandomStream(seed: 5, path: ["g"])  // the same noise, drawn in the same order
            let keep = logProbabilities.sliced(axis: 2, 0..<1).reshaped([1, 6])
            let drop = logProbabilities.sliced(axis: 2, 1..<2).reshaped([1, 6])
            let noise = Tensor(shape: [1, 6], values: (0..<6).map { _ in Float(random.gumbel() - random.gumbel()) })
            return ((keep - drop + noise) / 0.7).sigmoid()
        }
        for (x, y) in zip(hard, soft) { XCTAssertEqual(x, y, accuracy: 1e-6) }
    }
}

final class ShortTrainingTests: XCTestCase {
    /// A short run on a fixed batch lowers each learned pruner's training loss (same noise before and after).
    func testShortTrainingLowersTheLossOfBothLearnedMethods() {
        let model = PrunerContractTests.model
        model.freeze()
        let suite = TaskSuite(layout: PrunerContractTests.configuration.layout, seed: 6, testItemsPerFamily: 10)
        let batch = TrainingBatch(items: (0..<8).map { suite.trainingItem(TaskFamily.allCases[$0], 1) },
                                  layout: suite.layout, vocabulary: .standard)
        var training = PrunerTrainingSettings()
        training.keepRatio = 0.25
        var diffprune = DiffPrunePruner.Configuration()
        diffprune.training = training
        var gumbel = GumbelPruner.Configuration()
        gumbel.training = training
        let pruners: [any TrainablePruner] = [DiffPrunePruner(configuration: diffprune, visionWidth: 16),
                                              GumbelPruner(configuration: gumbel, visionWidth: 16)]
        for pruner in pruners {
            func loss() -> Float {
                withoutGradient { pruner.trainingLoss(model: model, batch: batch, progress: 0.5,
                                                      random: RandomStream(seed: 1, path: ["eval"])).item }
            }
            let before = loss()
            let optimizer = AdamW(parameters: pruner.trainableParameters(), learningRate: 3e-3)
            for _ in 0..<40 {
                optimizer.zeroGradients()
                pruner.trainingLoss(model: model, batch: batch, progress: 0.5,
                                    random: RandomStream(seed: 1, path: ["eval"])).backward()
                optimizer.step()
            }
            XCTAssertLessThan(loss(), before, pruner.name)
        }
    }
}
