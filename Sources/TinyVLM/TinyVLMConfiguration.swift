import Autograd
import SyntheticVQA

/// The architecture of the built-in VLM; stored as JSON beside its weights.
public struct TinyVLMConfiguration: Codable, Sendable, Equatable {
    public var patchSide: Int
    public var patchesPerSide: Int
    public var visionWidth: Int
    public var visionLayers: Int
    public var visionHeads: Int
    public var width: Int
    public var layers: Int
    public var heads: Int
    public var hidden: Int
    public var questionVocabulary: Int
    public var answers: Int
    /// Longest question the position table covers.
    public var maxQuestionTokens: Int

    public init(patchSide: Int, patchesPerSide: Int, visionWidth: Int, visionLayers: Int, visionHeads: Int,
                width: Int, layers: Int, heads: Int, hidden: Int, questionVocabulary: Int, answers: Int,
                maxQuestionTokens: Int) {
        self.patchSide = patchSide
        self.patchesPerSide = patchesPerSide
        self.visionWidth = visionWidth
        self.visionLayers = visionLayers
        self.visionHeads = visionHeads
        self.width = width
        self.layers = layers
        self.heads = heads
        self.hidden = hidden
        self.questionVocabulary = questionVocabulary
        self.answers = answers
        self.maxQuestionTokens = maxQuestionTokens
    }

    public var layout: ImageLayout { ImageLayout(patchSide: patchSide, patchesPerSide: patchesPerSide) }
    public var visualTokens: Int { patchesPerSide * patchesPerSide }
    public var maxPositions: Int { visualTokens + maxQuestionTokens }

    /// The shipped model: 144 visual tokens, a 1-block vision encoder and a 4-layer, d = 128 language model.
    public static let standard = TinyVLMConfiguration(
        patchSide: 8, patchesPerSide: 12, visionWidth: 96, visionLayers: 1, visionHeads: 4,
        width: 128, layers: 4, heads: 4, hidden: 512,
        questionVocabulary: Vocabulary.standard.questionWords.count, answers: Vocabulary.standard.answers.count,
        maxQuestionTokens: 16)

    /// A miniature of the model (36 visual tokens, widths 16 and 32) for tests and examples, where the
    /// standard one would be slow to train.
    public static func miniature(languageLayers: Int) -> TinyVLMConfiguration {
        TinyVLMConfiguration(
            patchSide: 5, patchesPerSide: 6, visionWidth: 16, visionLayers: 1, visionHeads: 2,
            width: 32, layers: languageLayers, heads: 2, hidden: 64,
            questionVocabulary: Vocabulary.standard.questionWords.count, answers: Vocabulary.standard.answers.count,
            maxQuestionTokens: 16)
    }

    /// Prefill FLOPs of the language model with `tokensPerLayer[l]` tokens in layer l: each layer's block
    /// (`TransformerBlock.forwardFLOPs`) plus the answer head on the last position.
    public func prefillFLOPs(tokensPerLayer: [Int]) -> Double {
        tokensPerLayer.reduce(0.0) { $0 + TransformerBlock.forwardFLOPs(tokens: $1, width: width, hidden: hidden) }
            + 2 * Double(width) * Double(answers)
    }
}
