import Autograd
import Foundation
import Statistics
import SyntheticVQA
import TinyVLM

/// Runs the built-in model on one item with a pruner in its place: before the language model, or inside
/// it after the pruner's layer (where it sees that layer's attention). Without a pruner it is the
/// unpruned model, run through the same prefill path so that timings compare like with like.
public enum PrunedInference {
    public struct Answer {
        /// Index into the answer vocabulary.
        public let predicted: Int
        public let selection: Selection
        /// Seconds spent in the pruner's `select` (scoring, selection; not the prefill).
        public let prunerSeconds: Double
        /// Seconds of the language-model prefill (with the KV cache), without the pruner's own time.
        public let prefillSeconds: Double
        /// Tokens each language-model layer processed.
        public let tokensPerLayer: [Int]
    }

    /// Answers `question` from the visual tokens of one image keeping `budget` of them (all of them when
    /// `pruner` is nil).
    public static func answer(model: TinyVLM, pruner: (any TokenPruner)?, tokens: VisualTokens, question: [Int],
                              budget: Int, random: RandomStream, relevantPatches: [Int] = []) throws -> Answer {
        try withoutGradient {
            let clock = ContinuousClock()
            var selection = Selection(kept: Array(0..<tokens.count), scores: nil)
            var prunerTime = Duration.zero
            let start = clock.now
            let result: LanguageModel.PrefillResult
            switch pruner?.location {
            case nil:
                result = try model.languageModel.prefill(visual: tokens.projected, visualPositions: selection.kept,
                                                          question: question)
            case .beforeLanguageModel:
                let context = PruningContext(question: question, random: random, relevantPatches: relevantPatches)
                // Batch-1 scoring is latency-bound, like the prefill (inside it, in-LLM pruners already are).
                prunerTime = try clock.measure {
                    selection = try BLAS.latencyBound { try pruner!.prune(tokens, budget: budget, context: context) }
                }
                let kept = selection.kept
                result = try model.languageModel.prefill(visual: tokens.projected.gathered(kept, axis: 0),
                                                          visualPositions: kept, question: question)
            case .insideLanguageModel(let layer):
                result = try model.languageModel.prefill(
                    visual: tokens.projected, visualPositions: selection.kept, question: question,
                    pruning: .init(layer: layer) { state in
                        let context = PruningContext(question: question, random: random, layerState: state,
                                                     relevantPatches: relevantPatches)
                        prunerTime = try clock.measure { selection = try pruner!.prune(tokens, budget: budget, context: context) }
                        return selection.kept
                    })
            }
            let total = clock.now - start
            let predicted = TinyVLM.predictedAnswers(Tensor(shape: [1, result.logits.count], values: result.logits))[0]
            return Answer(predicted: predicted, selection: selection, prunerSeconds: prunerTime.seconds,
                          prefillSeconds: (total - prunerTime).seconds, tokensPerLayer: result.cache.tokensPerLayer)
        }
    }

    /// `answer` for a task-suite item whose visual tokens are already computed: encodes the question and
    /// gives the pruner the stream `(seed, ["prune", pruner name, item id])`.
    public static func answer(model: TinyVLM, pruner: (any TokenPruner)?, tokens: VisualTokens, item: VQAItem,
                              suite: TaskSuite, budget: Int, seed: UInt64) throws -> Answer {
        try answer(model: model, pruner: pruner, tokens: tokens, question: suite.vocabulary.encode(question: item.question),
                   budget: budget, random: RandomStream(seed: seed, path: ["prune", pruner?.name ?? "none", item.id]),
                   relevantPatches: item.relevantPatches)
    }

    /// `answer` for a task-suite item: renders it and runs the vision encoder first.
    public static func answer(model: TinyVLM, pruner: (any TokenPruner)?, item: VQAItem, suite: TaskSuite, budget: Int,
                              seed: UInt64) throws -> Answer {
        let layout = suite.layout
        let patches = Tensor(shape: [layout.patchCount, layout.patchDimension], values: item.scene.render(layout).patches(layout))
        let visual = withoutGradient { model.visualTokens(patches) }
        return try answer(model: model, pruner: pruner, tokens: VisualTokens(features: visual.features, projected: visual.projected),
                          item: item, suite: suite, budget: budget, seed: seed)
    }
}
