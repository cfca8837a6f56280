import Autograd
import SyntheticVQA

/// Timings of the built-in model itself: the language model's prefill at batch 1 with the KV cache
/// built, for a given number of visual tokens, and one full training step of the substrate.
public enum ModelBenchmark {
    /// The question every prefill timing uses (a typical length for the suite).
    static let question = ["what", "colour", "is", "the", "cross"]

    /// What `bench prefill` reports, all measured on one input (see `prefill`).
    public struct PrefillMeasurements {
        /// Median prefill time for each visual-token count.
        public let timings: [BenchmarkTiming]
        /// For each count, the median over rounds of the unpruned prefill's time over this count's in the
        /// same round: the speedup, paired against the machine's drift.
        public let speedups: [Double]
        /// For each count, the tensor buffers one steady-state prefill takes and the bytes of them newly
        /// allocated rather than recycled (measured after the warm-up runs).
        public let allocations: [AllocationCounts]
        /// Median time of the unpruned prefill when it also returns this layer's attention probabilities
        /// (what in-LLM pruners such as attention-norm need), and the medians over rounds of what that adds
        /// to the plain unpruned prefill of the same round, in milliseconds and as a share of it, if a
        /// layer was asked for.
        public let exposingAttention: (layer: Int, milliseconds: Double, extraMilliseconds: Double, extraShare: Double)?
    }

    /// Prefill timings and allocations for each visual-token count, which must include the unpruned one
    /// (every speedup's reference), and optionally the unpruned prefill's time with one layer's attention
    /// returned. The kept tokens are spread evenly over the image and keep their original positions, as a
    /// pruner's selection would.
    public static func prefill(_ model: TinyVLM, visualTokens counts: [Int], exposingAttentionOf layer: Int? = nil,
                               repeats: Int, warmup: Int) throws -> PrefillMeasurements {
        let input = PrefillInput(model), c = model.configuration
        guard let full = counts.firstIndex(of: c.visualTokens) else {
            preconditionFailure("the unpruned prefill (\(c.visualTokens) visual tokens) is every speedup's reference")
        }
        // Every count (and the attention-exposing run) is timed in each round, so that ratios between
        // them are not skewed by the machine's drift.
        var runs = counts.map { n in (kept: input.kept(n), attentionLayer: Int?.none) }
        if let layer { runs.append((input.kept(c.visualTokens), layer)) }
        var failure: Error? = nil
        let rounds = roundsMilliseconds(interleaving: runs.map { run in
            { do { try input.run(run.kept, attentionLayer: run.attentionLayer) } catch { failure = error } }
        }, repeats: repeats, warmup: warmup)
        if let failure { throw failure }
        let medians = rounds.map(median)
        let timings = zip(counts, medians).map { n, ms in
            let flops = c.prefillFLOPs(tokensPerLayer: Array(repeating: n + input.question.count, count: c.layers))
            return BenchmarkTiming(tokens: n, medianMilliseconds: ms, flops: flops)
        }
        let allocations = try counts.map { n in
            let kept = input.kept(n)
            for _ in 0..<max(1, warmup) { try input.run(kept) }
            let before = AllocationCounts.current
            try input.run(kept)
            return AllocationCounts.current - before
        }
        let exposing = layer.map { layer in
            (layer, medians[counts.count], median(zip(rounds[counts.count], rounds[full]).map { $0 - $1 }),
             medianRatio(rounds[counts.count], rounds[full]) - 1)
        }
        return PrefillMeasurements(timings: timings, speedups: counts.indices.map { medianRatio(rounds[full], rounds[$0]) },
                                   allocations: allocations, exposingAttention: exposing)
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

/// The fixed input every prefill timing uses: one test item's projected visual tokens and a typical question.
private struct PrefillInput {
    let model: TinyVLM
    let projected: Tensor
    let question: [Int]

    init(_ model: TinyVLM) {
        let configuration = model.configuration
        let suite = TaskSuite(layout: configuration.layout, seed: 0, testItemsPerFamily: 1)
        let item = suite.testItem(.colour, 0)
        let patches = Tensor(shape: [configuration.visualTokens, configuration.layout.patchDimension],
                             values: item.scene.render(configuration.layout).patches(configuration.layout))
        self.model = model
        projected = withoutGradient { model.visualTokens(patches).projected }
        question = suite.vocabulary.encode(question: ModelBenchmark.question)
    }

    /// Visual tokens spread evenly over the image, with their original positions, and their projected rows.
    func kept(_ n: Int) -> (rows: [Int], visual: Tensor) {
        let total = model.configuration.visualTokens
        precondition(n >= 1 && n <= total, "visual tokens must be in 1...\(total)")
        let rows = (0..<n).map { $0 * total / n }
        return (rows, withoutGradient { projected.gathered(rows, axis: 0) })
    }

    func run(_ kept: (rows: [Int], visual: Tensor), attentionLayer: Int? = nil) throws {
        _ = try withoutGradient {
            try model.languageModel.prefill(visual: kept.visual, visualPositions: kept.rows, question: question,
                                            attentionLayer: attentionLayer)
        }
    }
}
