import Autograd

/// DiffPrune's scorer: one logit per visual token from the visual tokens only (it never sees the
/// question). Tokens are projected to `hidden` channels, mixed by `depth` transformer blocks (none:
/// a per-token MLP), then LayerNorm → GELU → linear head. The paper's scorer is two blocks at the
/// vision width; on a small language model that cost a quarter of the prefill (measured at 128 channels
/// on an earlier model), hence the lighter default.
final class TokenScorer: Module {
    let input: Linear?
    let blocks: TransformerStack
    let norm: LayerNorm
    let head: Linear
    /// The per-token stages: the whole scorer without blocks, else the norm, GELU and head after them.
    private let perToken: RowWisePipeline

    /// `input` is omitted when `hidden` equals the vision `width` and blocks follow (the paper's shape).
    init(width: Int, hidden: Int, depth: Int, heads: Int, using source: inout some RandomSource) {
        input = hidden == width && depth > 0 ? nil : Linear(inputs: width, outputs: hidden, using: &source)
        blocks = TransformerStack(layers: depth, width: hidden, heads: heads, hidden: 2 * hidden, using: &source)
        norm = LayerNorm(width: hidden)
        head = Linear(inputs: hidden, outputs: 1, using: &source)
        let tail: [RowWisePipeline.Stage] = [.layerNorm(norm), .gelu, .linear(head)]
        // Without blocks each token is scored alone: the whole scorer is one per-token pipeline.
        perToken = RowWisePipeline(blocks.layers.isEmpty ? (input.map { [.linear($0)] } ?? []) + tail : tail)
    }

    /// Logits `[batch, N]` for features `[batch, N, width]` (or `[N]` for `[N, width]`).
    func callAsFunction(_ features: Tensor) -> Tensor {
        let logits = perToken(blocks.layers.isEmpty ? features : blocks(input.map { $0(features) } ?? features))
        return logits.reshaped(Array(logits.shape.dropLast()))
    }

    func namedParameters() -> [NamedParameter] {
        (input?.namedParameters(prefix: "input") ?? []) + blocks.namedParameters(prefix: "blocks")
            + norm.namedParameters(prefix: "norm") + head.namedParameters(prefix: "head")
    }
}
