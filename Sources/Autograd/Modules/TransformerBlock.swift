/// A pre-norm transformer block: `x + attn(norm1(x))`, then `+ mlp(norm2(·))`.
public final class TransformerBlock: Module {
    public let norm1: LayerNorm, attn: MultiHeadAttention, norm2: LayerNorm, mlp: FeedForward

    public init(width: Int, heads: Int, hidden: Int, using source: inout some RandomSource) {
        norm1 = LayerNorm(width: width)
        attn = MultiHeadAttention(width: width, heads: heads, using: &source)
        norm2 = LayerNorm(width: width)
        mlp = FeedForward(width: width, hidden: hidden, using: &source)
    }

    /// The block applied to `x`; `causal`, `keep` and `returnProbabilities` go to the attention.
    public func callAsFunction(
        _ x: Tensor, causal: Bool = false, keep: Tensor? = nil, returnProbabilities: Bool = false
    ) -> AttentionResult {
        let step = step(x, causal: causal, keep: keep, returnProbabilities: returnProbabilities)
        return AttentionResult(output: step.output, probabilities: step.probabilities)
    }

    /// The block applied to `x`, with the keys and values its attention computed (what a prefill keeps in
    /// its KV cache). Inside `BLAS.latencyBound` without gradients or `keep`, and from
    /// `RowWiseBlock.minimumRows` rows, the work is split by rows (`RowWiseStack` of one block); the values
    /// are the same either way.
    public func step(
        _ x: Tensor, causal: Bool = false, keep: Tensor? = nil, returnProbabilities: Bool = false
    ) -> BlockStep {
        if keep == nil, let rowWise = RowWiseStack(CollectionOfOne(self), rows: matrixRows(of: x)) {
            return rowWise.steps(x, causal: causal) { _ in returnProbabilities }[0]
        }
        return operationStep(x, causal: causal, keep: keep, returnProbabilities: returnProbabilities)
    }

    /// `step` of each of `blocks` in turn, each on the previous block's output and the first on `x`, with
    /// the probabilities of the blocks `returnProbabilities` picks (by position in `blocks`). Where `step`
    /// would split each block by rows, the threads take their rows through all the blocks in one hand-off
    /// (`RowWiseStack`): the same values, with fewer waits.
    public static func steps(
        _ blocks: some Collection<TransformerBlock>, _ x: Tensor, causal: Bool = false,
        returnProbabilities: (Int) -> Bool = { _ in false }
    ) -> [BlockStep] {
        if let rowWise = RowWiseStack(blocks, rows: matrixRows(of: x)) {
            return rowWise.steps(x, causal: causal, returnProbabilities: returnProbabilities)
        }
        var input = x
        return blocks.enumerated().map { index, block in
            let step = block.step(input, causal: causal, returnProbabilities: returnProbabilities(index))
            input = step.output
            return step
        }
    }

    /// `step` one operation at a time, each recorded when gradients are on.
    func operationStep(_ x: Tensor, causal: Bool, keep: Tensor?, returnProbabilities: Bool) -> BlockStep {
        let (query, key, value) = attn.projections(norm1(x))
        let attended = attention(query: query, key: key, value: value, heads: attn.heads, causal: causal, keep: keep,
                                 returnProbabilities: returnProbabilities)
        let mixed = attn.wo(attended.output, adding: x)
        return BlockStep(output: mlp(norm2(mixed), adding: mixed), key: key, value: value,
                         probabilities: attended.probabilities)
    }

    /// Floating-point operations of one forward pass over `tokens` tokens, counting a multiply-add as 2:
    /// `n·(8d² + 4·d·d_ff)` for the projections and MLP, and `4d` for `QKᵀ` and `PV` per (query, key) pair
    /// computed: all `n²` of them, or with `causalPairsOnly` the `n(n + 1)/2` that a causal mask leaves,
    /// which is all that latency-bound inference (a prefill) computes; training and batched passes compute
    /// every pair and mask them.
    public static func forwardFLOPs(tokens n: Int, width: Int, hidden: Int, causalPairsOnly: Bool) -> Double {
        let (n, d, f) = (Double(n), Double(width), Double(hidden))
        let pairs = causalPairsOnly ? n * (n + 1) / 2 : n * n
        return n * (8 * d * d + 4 * d * f) + 4 * d * pairs
    }

    public func namedParameters() -> [NamedParameter] {
        norm1.namedParameters(prefix: "norm1") + attn.namedParameters(prefix: "attn")
            + norm2.namedParameters(prefix: "norm2") + mlp.namedParameters(prefix: "mlp")
    }
}

/// A transformer block's output, the keys and values its attention computed, and, when asked for, its
/// attention probabilities (outside the graph).
public struct BlockStep {
    public let output: Tensor, key: Tensor, value: Tensor
    public let probabilities: Tensor?
}

/// A stack of transformer blocks named `layers.0`, `layers.1`, ….
public final class TransformerStack: Module {
    public let layers: [TransformerBlock]

    public init(layers: Int, width: Int, heads: Int, hidden: Int, using source: inout some RandomSource) {
        self.layers = (0..<layers).map { _ in TransformerBlock(width: width, heads: heads, hidden: hidden, using: &source) }
    }

    /// Every block in turn.
    public func callAsFunction(_ x: Tensor, causal: Bool = false, keep: Tensor? = nil) -> Tensor {
        guard keep == nil else { return layers.reduce(x) { $1($0, causal: causal, keep: keep).output } }
        return TransformerBlock.steps(layers, x, causal: causal).last?.output ?? x
    }

    public func namedParameters() -> [NamedParameter] {
        layers.enumerated().flatMap { $1.namedParameters(prefix: "layers.\($0)") }
    }
}
