import Autograd

/// DynamicViT's prediction module (Rao et al. 2021, `models/dyvit.py` `PredictorLG`): LayerNorm →
/// Linear (to `hidden` = h channels; DynamicViT: h = d) → GELU; the first half of the channels stays per
/// token ("local"), the second half becomes the keep-weighted mean over tokens ("global"); concatenated,
/// an MLP h → h/2 → h/4 → 2 gives the log-probabilities of (keep, drop).
final class KeepPredictor: Module {
    let norm: LayerNorm
    let input: Linear
    let fc1: Linear, fc2: Linear, fc3: Linear
    /// The whole predictor as one per-token pipeline (its threads pool the tokens in turn, in one hand-off).
    private let pipeline: RowWisePipeline

    init(width: Int, hidden: Int, using source: inout some RandomSource) {
        precondition(hidden % 4 == 0, "the predictor width must be divisible by 4")
        norm = LayerNorm(width: width)
        input = Linear(inputs: width, outputs: hidden, using: &source)
        fc1 = Linear(inputs: hidden, outputs: hidden / 2, using: &source)
        fc2 = Linear(inputs: hidden / 2, outputs: hidden / 4, using: &source)
        fc3 = Linear(inputs: hidden / 4, outputs: 2, using: &source)
        // Each token's first half of channels stays its own ("local"); the second half becomes the mean over
        // the tokens ("global"). DynamicViT pools under the previous stage's keep policy, Σ(x·p) / (Σp + 1e-6);
        // with one pruning stage the policy is all ones, so this is that pool with p = 1.
        pipeline = RowWisePipeline([.layerNorm(norm), .linear(input), .gelu, .poolTokens(from: hidden / 2, epsilon: 1e-6),
                                    .linear(fc1), .gelu, .linear(fc2), .gelu, .linear(fc3)])
    }

    /// Log-probabilities `[batch, N, 2]` (keep, drop) for features `[batch, N, width]`.
    func callAsFunction(_ features: Tensor) -> Tensor { logSoftmax(logits(features)) }

    /// The (keep, drop) logits `[batch, N, 2]` whose log-softmax is the prediction.
    func logits(_ features: Tensor) -> Tensor { pipeline(features) }

    func namedParameters() -> [NamedParameter] {
        norm.namedParameters(prefix: "norm") + input.namedParameters(prefix: "in")
            + fc1.namedParameters(prefix: "fc1") + fc2.namedParameters(prefix: "fc2") + fc3.namedParameters(prefix: "fc3")
    }
}
