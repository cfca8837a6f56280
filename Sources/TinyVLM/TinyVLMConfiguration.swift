import Autograd
import Foundation
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
    /// Adds fixed 2D sinusoidal (row, column) encodings to the visual tokens of the vision encoder and
    /// the language model, on top of the learned positions (absent in older configurations: off).
    public var sinusoidalPositions: Bool? = nil
    /// Centres and scales the pixel values before the patch embedding (absent: off).
    public var normalisePixels: Bool? = nil

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

    /// The fixed 2D sinusoidal table `[maxPositions, width]` (zero rows for question positions) when
    /// `sinusoidalPositions` is on, else nil.
    public func sinusoidalTable(width: Int, rows: Int) -> Tensor? {
        guard sinusoidalPositions == true else { return nil }
        var values = [Float](repeating: 0, count: rows * width)
        let half = width / 2, pairs = half / 2
        for id in 0..<min(rows, visualTokens) {
            let (row, column) = id.quotientAndRemainder(dividingBy: patchesPerSide)
            for (axis, coordinate) in [row, column].enumerated() {
                for k in 0..<pairs {
                    let frequency = Foundation.pow(100.0, -Double(k) / Double(pairs))
                    let angle = Double(coordinate) * frequency
                    values[id * width + axis * half + 2 * k] = Float(0.5 * Foundation.sin(angle))
                    values[id * width + axis * half + 2 * k + 1] = Float(0.5 * Foundation.cos(angle))
                }
            }
        }
        return Tensor(shape: [rows, width], values: values)
    }

    /// The shipped model: 144 visual tokens, a 2-block vision encoder with centred pixels and fixed 2D
    /// positions, and a 4-layer, d = 128 language model.
    public static let standard: TinyVLMConfiguration = {
        var configuration = TinyVLMConfiguration(
            patchSide: 8, patchesPerSide: 12, visionWidth: 96, visionLayers: 2, visionHeads: 4,
            width: 128, layers: 4, heads: 4, hidden: 512,
            questionVocabulary: Vocabulary.standard.questionWords.count, answers: Vocabulary.standard.answers.count,
            maxQuestionTokens: 16)
        configuration.sinusoidalPositions = true
        configuration.normalisePixels = true
        return configuration
    }()

    /// A miniature of the model (36 visual tokens, widths 16 and 32) for tests and examples, where the
    /// standard one would be slow to train.
    public static func miniature(languageLayers: Int) -> TinyVLMConfiguration {
        TinyVLMConfiguration(
            patchSide: 5, patchesPerSide: 6, visionWidth: 16, visionLayers: 1, visionHeads: 2,
            width: 32, layers: languageLayers, heads: 2, hidden: 64,
            questionVocabulary: Vocabulary.standard.questionWords.count, answers: Vocabulary.standard.answers.count,
            maxQuestionTokens: 16)
    }

    /// Prefill FLOPs of the language model with `tokensPerLayer[l]` tokens in layer l: each layer's causal
    /// block at inference (`TransformerBlock.forwardFLOPs`) plus the answer head on the last position.
    public func prefillFLOPs(tokensPerLayer: [Int]) -> Double {
        tokensPerLayer.reduce(0.0) {
            $0 + TransformerBlock.forwardFLOPs(tokens: $1, width: width, hidden: hidden, causalPairsOnly: true)
        }
            + 2 * Double(width) * Double(answers)
    }
}
