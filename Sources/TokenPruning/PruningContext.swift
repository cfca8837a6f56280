import Autograd
import Statistics
import TinyVLM

/// What a pruner may look at besides the tokens: the question, a random stream of its own, the state of
/// its language-model layer (in-LLM pruners only) and, for the oracle reference only, the ground truth.
public struct PruningContext {
    /// The question's token ids.
    public let question: [Int]
    /// This selection's random stream (derived from the run seed, the method and the item).
    public let random: RandomStream
    /// Attention, values and token counts of the pruning layer; set only for in-LLM pruners.
    public let layerState: LanguageModel.LayerState?
    /// Patches holding the objects the question is about. Only the oracle may read it.
    public let relevantPatches: [Int]

    public init(question: [Int], random: RandomStream, layerState: LanguageModel.LayerState? = nil,
                relevantPatches: [Int] = []) {
        self.question = question
        self.random = random
        self.layerState = layerState
        self.relevantPatches = relevantPatches
    }
}
