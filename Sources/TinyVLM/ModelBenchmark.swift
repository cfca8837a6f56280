import Autograd
import SyntheticVQA

/// Timings of the built-in model itself: the language model's prefill at batch 1 with the KV cache
/// built, for a given number of visual tokens, and one full training step of the substrate.
public enum ModelBenchmark {
    /// The question every prefill timing uses (a typical length for the suite).
    static let question = ["what", "colour", "is", "the", "cross"]

    /// Median prefill time for each visual-token count. The kept tokens are spread evenly over the image
    /// and keep their original positions, as a pruner's selection would.
    public static func prefill(_ model: TinyVLM, visualTokens counts: [Int], repeats: Int, warmup: Int) throws
        -> [BenchmarkTiming] {
        let configuration = model.configuration
        let suite = TaskSuite(layout: configuration.layout, seed: 0, testItemsPerFamily: 1)
        let item = suite.testItem(.colour, 0)
        let patches = Tensor(shape: [configuration.visualTokens, configuration.layout.patchDimension],
                             values: item.scene.render(configuration.layout).patches(configuration.layout))
        let projected = withoutGradient { model.visualTokens(patches).projected }
        let question = suite.vocabulary.encode(question: question)
        return try counts.map { n in
            precondition(n >= 1 && n <= configuration.visualTokens, "visual tokens must be in 1...\(configuration.visualTokens)")
            let kept = (0..<n).map { $0 * configuration.visualTokens / n }
            let visual = withoutGradient { projected.gathered(kept, axis: 0) }
            var failure: Error? = nil
            let ms = medianMilliseconds(repeats: repeats, warmup: warmup) {
                do {
                    _ = try withoutGradient {
                        try model.languageModel.prefill(visual: visual, visualPositions: kept, question: question)
                    }
                } catch { failure = error }
            }
            if let failure { throw failure }
            let flops = configuration.prefillFLOPs(tokensPerLayer: Array(repeating: n + question.count, count: configuration.layers))
            return BenchmarkTiming(tokens: n, medianMilliseconds: ms, flops: flops)
        }
    }

    /// Median time of one substrate training step (forward, backward, clipping, AdamW) on `batchSize` items.
    public static func trainStep(_ model: TinyVLM, batchSize: Int, repeats: Int, warmup: Int) -> Double {
        var settings = SubstrateTrainer.Settings()
        settings.batchSize = batchSize
        settings.dropoutShare = 0
        let suite = TaskSuite(layout: model.configuration.layout, seed: 0, testItemsPerFamily: 1)
        let batch = SubstrateTrainer(settings: settings, suite: suite, seed: 0).batch(settings.steps)
        let optimizer = AdamW(parameters: model.trainableParameters(), learningRate: 1e-5)
        return medianMilliseconds(repeats: repeats, warmup: warmup) {
            let loss = crossEntropy(logits: model.answerLogits(batch), targets: batch.answers)
            optimizer.zeroGradients()
            loss.backward()
            _ = clipGradientNorm(model.trainableParameters(), maxNorm: 1)
            optimizer.step()
        }
    }
}
