import Autograd
import Foundation
import SyntheticVQA
import XCTest
@testable import TinyVLM

final class TinyVLMTests: XCTestCase {
    /// A small configuration so the tests run in seconds.
    static let small = TinyVLMConfiguration.miniature(languageLayers: 2)
    static let suite = TaskSuite(layout: small.layout, seed: 3, testItemsPerFamily: 20)

    private func items(_ count: Int) -> [VQAItem] {
        (0..<count).map { Self.suite.trainingItem(TaskFamily.allCases[$0 % 10], $0 / 10) }
    }

    func testForwardShapes() {
        let model = TinyVLM(Self.small, seed: 1)
        let batch = TrainingBatch(items: items(3), layout: Self.small.layout, vocabulary: .standard)
        let tokens = model.visualTokens(batch.patches)
        XCTAssertEqual(tokens.features.shape, [3, 36, 16])
        XCTAssertEqual(tokens.projected.shape, [3, 36, 32])
        XCTAssertEqual(model.answerLogits(batch).shape, [3, Self.small.answers])
    }

    func testCachedPrefillEqualsTheBatchedForward() throws {
        let model = TinyVLM(Self.small, seed: 2)
        let chosen = items(4)
        let keep = chosen.map { _ in [0, 3, 4, 10, 20, 35] }
        let batch = TrainingBatch(items: chosen, layout: Self.small.layout, vocabulary: .standard, keep: keep)
        let batched = withoutGradient { model.answerLogits(batch) }.values
        for (b, item) in chosen.enumerated() {
            let result = try withoutGradient { () throws -> LanguageModel.PrefillResult in
                let projected = model.visualTokens(batch.patches.sliced(axis: 0, b..<(b + 1)).reshaped([36, 75])).projected
                return try model.languageModel.prefill(visual: projected.gathered(keep[b], axis: 0), visualPositions: keep[b],
                                                       question: Vocabulary.standard.encode(question: item.question))
            }
            let expected = Array(batched[(b * Self.small.answers)..<((b + 1) * Self.small.answers)])
            for (x, y) in zip(result.logits, expected) { XCTAssertEqual(x, y, accuracy: 1e-4) }
            XCTAssertEqual(result.cache.tokensPerLayer, [6 + item.question.count, 6 + item.question.count])
        }
    }

    /// The prefill's one-pass input rows are the composed operations' values, bit for bit, with and
    /// without the fixed sinusoidal positions.
    func testPromptRowsEqualTheComposedOperations() {
        for sinusoidal in [false, true] {
            var configuration = Self.small
            configuration.sinusoidalPositions = sinusoidal
            let model = TinyVLM(configuration, seed: 6).languageModel
            var source = SplitMix64(seed: 7)
            let visual = Tensor(randomNormal: [5, configuration.width], using: &source)
            let question = [3, 1, 4], positionIDs = [0, 2, 9, 20, 35] + (0..<3).map(model.questionPosition)
            let composed = concat([visual, model.tokenEmbedding(question)], axis: 0) + model.positionRows(positionIDs)
            let fused = withoutGradient { model.promptRows(visual: visual, question: question, positionIDs: positionIDs) }
            XCTAssertEqual(fused.shape, composed.shape)
            XCTAssertEqual(fused.values, composed.values, "sinusoidal \(sinusoidal)")
        }
    }

    func testInLayerPruningKeepsOriginalPositionsAndShrinksLaterLayers() throws {
        let model = TinyVLM(Self.small, seed: 4)
        let item = items(1)[0]
        let question = Vocabulary.standard.encode(question: item.question)
        let batch = TrainingBatch(items: [item], layout: Self.small.layout, vocabulary: .standard)
        let result = try withoutGradient { () throws -> LanguageModel.PrefillResult in
            let projected = model.visualTokens(batch.patches.reshaped([36, 75])).projected
            return try model.languageModel.prefill(
                visual: projected, visualPositions: Array(0..<36), question: question, attentionLayer: 0,
                pruning: .init(layer: 0) { state in
                    XCTAssertEqual(state.attention.shape, [2, 36 + question.count, 36 + question.count])
                    XCTAssertEqual(state.values.shape, [36 + question.count, 32])
                    XCTAssertEqual(state.visualCount, 36)
                    return [1, 7, 30]
                })
        }
        XCTAssertEqual(result.keptAfterLayer, [1, 7, 30])
        XCTAssertEqual(result.cache.tokensPerLayer, [36 + question.count, 3 + question.count])
        XCTAssertEqual(Array(result.cache.positions[1].prefix(3)), [1, 7, 30])
        XCTAssertNotNil(result.attention)
    }

    func testPruningAfterTheLastLayerIsAnError() {
        let model = TinyVLM(Self.small, seed: 4)
        let visual = Tensor(zeros: [36, 32])
        XCTAssertThrowsError(try withoutGradient {
            try model.languageModel.prefill(visual: visual, visualPositions: Array(0..<36), question: [1, 2],
                                            pruning: .init(layer: 1) { _ in [0] })
        }) { error in XCTAssertTrue("\(error)".contains("cannot prune after layer 1")) }
    }

    func testATinyModelOverfitsATinySet() {
        let model = TinyVLM(Self.small, seed: 5)
        var settings = SubstrateTrainer.Settings()
        settings.steps = 150
        settings.batchSize = 8
        settings.warmupSteps = 10
        settings.peakLearningRate = 3e-3
        settings.dropoutShare = 0
        // Eight fixed items, shown again and again: learning works if the loss collapses.
        let fixed = TrainingBatch(items: items(8), layout: Self.small.layout, vocabulary: .standard)
        let optimizer = AdamW(parameters: model.trainableParameters(), learningRate: settings.peakLearningRate)
        var first: Float = 0, last: Float = 0
        for step in 0..<settings.steps {
            let loss = crossEntropy(logits: model.answerLogits(fixed), targets: fixed.answers)
            if step == 0 { first = loss.item }
            last = loss.item
            optimizer.zeroGradients()
            loss.backward()
            optimizer.step()
        }
        XCTAssertLessThan(last, 0.05 * first, "loss \(first) → \(last)")
        let predictions = withoutGradient { TinyVLM.predictedAnswers(model.answerLogits(fixed)) }
        XCTAssertEqual(predictions, fixed.answers)
    }

    func testWeightsRoundTripThroughSafetensors() throws {
        let model = TinyVLM(Self.small, seed: 6)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tinyvlm-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try model.save(to: directory, storage: .float32)
        let loaded = try TinyVLM.load(from: directory)
        XCTAssertEqual(loaded.configuration, model.configuration)
        let original = model.stateDictionary(), restored = loaded.stateDictionary()
        XCTAssertEqual(Set(original.keys), Set(restored.keys))
        for (name, tensor) in original { XCTAssertEqual(tensor.values, restored[name]!.values, name) }
        // F16 storage rounds, but stays within half-precision error.
        try model.save(to: directory, storage: .float16)
        let half = try TinyVLM.load(from: directory).stateDictionary()
        for (name, tensor) in original {
            for (x, y) in zip(tensor.values, half[name]!.values) { XCTAssertEqual(x, y, accuracy: 1e-3 * max(1, abs(x)), name) }
        }
    }

    func testAFamilyListedTwiceGetsTwiceTheItemsNumberedConsecutively() {
        var settings = SubstrateTrainer.Settings()
        settings.batchSize = 5
        settings.families = [.colour, .position, .position]
        let trainer = SubstrateTrainer(settings: settings, suite: Self.suite, seed: 4)
        let drawn = (0..<3).flatMap { trainer.batchWithItems($0).items }
        XCTAssertEqual(drawn.filter { $0.family == .position }, (0..<10).map { Self.suite.trainingItem(.position, $0) })
        XCTAssertEqual(drawn.filter { $0.family == .colour }, (0..<5).map { Self.suite.trainingItem(.colour, $0) })
    }

    func testTrainingIsDeterministic() {
        var settings = SubstrateTrainer.Settings()
        settings.steps = 3
        settings.batchSize = 4
        settings.dropoutShare = 1
        var losses: [[Float]] = []
        for _ in 0..<2 {
            let model = TinyVLM(Self.small, seed: 9)
            var run: [Float] = []
            SubstrateTrainer(settings: settings, suite: Self.suite, seed: 9).train(model) { _, loss, _ in run.append(loss) }
            losses.append(run)
        }
        XCTAssertEqual(losses[0], losses[1])
    }

    func testFLOPCountFollowsTheFormula() {
        let c = TinyVLMConfiguration.standard
        let n = 160.0, d = 128.0, ff = 512.0
        // Inference attention computes only the n(n + 1)/2 (query, key) pairs the causal mask leaves.
        let perLayer = n * (8 * d * d + 4 * d * ff) + 4 * d * n * (n + 1) / 2
        XCTAssertEqual(c.prefillFLOPs(tokensPerLayer: Array(repeating: 160, count: 4)), 4 * perLayer + 2 * d * Double(c.answers))
        XCTAssertGreaterThanOrEqual(Double(c.visualTokens) / Double(c.visualTokens + c.maxQuestionTokens), 0.85)
    }
}

final class KeepMaskTests: XCTestCase {
    /// A hard 0/1 keep mask in the language model's attention gives the answer that removing the masked
    /// tokens gives: the mask is what Gumbel-Softmax training relies on to imitate pruning.
    func testHardKeepMaskEqualsRemovingTheTokens() {
        let model = TinyVLM(TinyVLMTests.small, seed: 8)
        let items = (0..<3).map { TinyVLMTests.suite.trainingItem(TaskFamily.allCases[$0], 0) }
        let kept = [0, 2, 5, 9, 17, 30, 31]
        let full = TrainingBatch(items: items, layout: TinyVLMTests.small.layout, vocabulary: .standard)
        let pruned = TrainingBatch(items: items, layout: TinyVLMTests.small.layout, vocabulary: .standard,
                                   keep: Array(repeating: kept, count: 3))
        let mask = Tensor(shape: [3, 36], values: (0..<3).flatMap { _ in (0..<36).map { kept.contains($0) ? 1 : 0 } })
        let masked = withoutGradient { model.answerLogits(projected: model.visualTokens(full.patches).projected, full, keep: mask) }
        let removed = withoutGradient { model.answerLogits(pruned) }
        for (x, y) in zip(masked.values, removed.values) { XCTAssertEqual(x, y, accuracy: 1e-3) }
    }
}
