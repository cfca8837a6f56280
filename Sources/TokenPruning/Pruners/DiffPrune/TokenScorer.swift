import Autograd

/// DiffPrune's scorer: a small transformer over the visual tokens only (it never sees the question) and
/// a linear head giving one logit per token.
final class TokenScorer: Module {
    let blocks: TransformerStack
    let norm: LayerNorm
    let head: Linear

    init(width: Int, depth: Int, heads: Int, using source: inout some RandomSource) {
        blocks = TransformerStack(layers: depth, width: width, heads: heads, hidden: 2 * width, using: &source)
        norm = LayerNorm(width: width)
        head = Linear(inputs: width, outputs: 1, using: &source)
    }

    /// Logits `[batch, N]` for features `[batch, N, width]` (or `[N]` for `[N, width]`).
    func callAsFunction(_ features: Tensor) -> Tensor {
        let logits = head(norm(blocks(features)))
        return logits.reshaped(Array(logits.shape.dropLast()))
    }

    func namedParameters() -> [NamedParameter] {
        blocks.namedParameters(prefix: "blocks") + norm.namedParameters(prefix: "norm") + head.namedParameters(prefix: "head")
    }
}
