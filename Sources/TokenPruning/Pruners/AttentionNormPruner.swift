import Autograd
import TinyVLM

/// Ranks visual tokens by the attention they receive from the question at one language-model layer,
/// averaged over heads, and prunes inside the language model after that layer (FastV: layer 2, i.e. the
/// third layer, pruning from the next one on). Optionally weights the received attention by the value
/// vector's L1 norm (VATP). The built-in vision encoder has no CLS token, so there is no pre-LLM
/// CLS-attention variant here.
public struct AttentionNormPruner: TokenPruner {
    public enum Queries: String, Sendable, CaseIterable {
        /// The last question token's row only (FastV).
        case lastToken = "last"
        /// The mean over every question token's row.
        case allText = "all"
    }

    public let name: String
    public let layer: Int
    public let queries: Queries
    public let valueNormWeighting: Bool
    public var location: PruningLocation { .insideLanguageModel(afterLayer: layer) }

    public init(name: String = "attention-norm", layer: Int = 2, queries: Queries = .lastToken,
                valueNormWeighting: Bool = false) {
        self.name = name
        self.layer = layer
        self.queries = queries
        self.valueNormWeighting = valueNormWeighting
    }

    public func select(_ tokens: VisualTokens, budget: Int, context: PruningContext) throws -> Selection {
        guard let state = context.layerState else {
            throw PruningError.missingContext(pruner: name, what: "the attention of language-model layer \(layer)")
        }
        return try Selection.topK(scores(state), budget: budget)
    }

    /// Received attention per visual token: mean over heads (and over question rows with `.allText`).
    func scores(_ state: LanguageModel.LayerState) -> [Float] {
        let sequence = state.attention.shape[1], visual = state.visualCount
        let rows = queries == .lastToken ? [sequence - 1] : Array(visual..<sequence)
        var scores = [Float](repeating: 0, count: visual)
        state.attention.withUnsafeBufferPointer { attention in
            for head in 0..<state.heads {
                for row in rows {
                    let base = (head * sequence + row) * sequence
                    for j in 0..<visual { scores[j] += attention[base + j] }
                }
            }
        }
        let normaliser = Float(state.heads * rows.count)
        for j in 0..<visual { scores[j] /= normaliser }
        if valueNormWeighting {
            let width = state.values.shape[1]
            state.values.withUnsafeBufferPointer { values in
                for j in 0..<visual {
                    var l1: Float = 0
                    for k in 0..<width { l1 += abs(values[j * width + k]) }
                    scores[j] *= l1
                }
            }
        }
        return scores
    }
}
