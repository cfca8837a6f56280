import Autograd
import Foundation
import Statistics
import SyntheticVQA
import TinyVLM

/// Runs the built-in model on one item with a pruner in its place: before the language model, or inside
/// it after the pruner's layer (where it sees that layer's attention).
public enum PrunedInference {
    public struct Answer {
        /// Index into the answer vocabulary.
        public let predicted: Int
        public let selection: Selection
        /// Seconds spent in the pruner's `select` (scoring, selection; not the prefill).
        public let prunerSeconds: Double
        /// Tokens each language-model layer processed.
        public let tokensPerLayer: [Int]
    }

    /// Answers `question` about the image `patches` `[N, patchDimension]` keeping `budget` visual tokens.
    public static func answer(model: TinyVLM, pruner: any TokenPruner, patches: Tensor, question: [Int], budget: Int,
                              random: RandomStream, relevantPatches: [Int] = []) throws -> Answer {
        try withoutGradient {
            let visual = model.visualTokens(patches)
            let tokens = VisualTokens(features: visual.features, projected: visual.projected)
            let clock = ContinuousClock()
            var selection: Selection? = nil
            var prunerTime = Duration.zero
            let result: LanguageModel.PrefillResult
            switch pruner.location {
            case .beforeLanguageModel:
                let context = PruningContext(question: question, random: random, relevantPatches: relevantPatches)
                prunerTime = try clock.measure { selection = try pruner.prune(tokens, budget: budget, context: context) }
                let kept = selection!.kept
                result = try model.languageModel.prefill(visual: visual.projected.gathered(kept, axis: 0),
                                                          visualPositions: kept, question: question)
            case .insideLanguageModel(let layer):
                result = try model.languageModel.prefill(
                    visual: visual.projected, visualPositions: Array(0..<tokens.count), question: question,
                    pruning: .init(layer: layer) { state in
                        let context = PruningContext(question: question, random: random, layerState: state,
                                                     relevantPatches: relevantPatches)
                        prunerTime = try clock.measure { selection = try pruner.prune(tokens, budget: budget, context: context) }
                        return selection!.kept
                    })
            }
            let predicted = TinyVLM.predictedAnswers(Tensor(shape: [1, result.logits.count], values: result.logits))[0]
            let seconds = Double(prunerTime.components.seconds) + Double(prunerTime.components.attoseconds) * 1e-18
            return Answer(predicted: predicted, selection: selection!, prunerSeconds: seconds,
                          tokensPerLayer: result.cache.tokensPerLayer)
        }
    }

    /// `answer` for a task-suite item: renders it, encodes the question, and gives the pruner the
    /// stream `(seed, ["prune", pruner name, item id])`.
    public static func answer(model: TinyVLM, pruner: any TokenPruner, item: VQAItem, suite: TaskSuite, budget: Int,
                              seed: UInt64) throws -> Answer {
        let layout = suite.layout
        let patches = Tensor(shape: [layout.patchCount, layout.patchDimension], values: item.scene.render(layout).patches(layout))
        return try answer(model: model, pruner: pruner, patches: patches,
                          question: suite.vocabulary.encode(question: item.question), budget: budget,
                          random: RandomStream(seed: seed, path: ["prune", pruner.name, item.id]),
                          relevantPatches: item.relevantPatches)
    }
}
