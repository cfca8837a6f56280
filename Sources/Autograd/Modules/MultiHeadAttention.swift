/// Multi-head self-attention: projections `wq`, `wk`, `wv`, the fused `attention` kernel, and the
/// output projection `wo`.
public final class MultiHeadAttention: Module {
    public let wq: Linear, wk: Linear, wv: Linear, wo: Linear
    public let heads: Int

    public init(width: Int, heads: Int, bias: Bool = true, using source: inout some RandomSource) {
        precondition(width % heads == 0, "width \(width) is not divisible by \(heads) heads")
        wq = Linear(inputs: width, outputs: width, bias: bias, using: &source)
        wk = Linear(inputs: width, outputs: width, bias: bias, using: &source)
        wv = Linear(inputs: width, outputs: width, bias: bias, using: &source)
        wo = Linear(inputs: width, outputs: width, bias: bias, using: &source)
        self.heads = heads
    }

    /// Attends `x` (`[batch, tokens, width]` or `[tokens, width]`) to itself; see `attention` for
    /// `causal`, `keep` and the returned probabilities.
    public func callAsFunction(
        _ x: Tensor, causal: Bool = false, keep: Tensor? = nil, returnProbabilities: Bool = false
    ) -> AttentionResult {
        let (query, key, value) = projections(x)
        let attended = attention(query: query, key: key, value: value, heads: heads, causal: causal, keep: keep,
                                 returnProbabilities: returnProbabilities)
        return AttentionResult(output: wo(attended.output), probabilities: attended.probabilities)
    }

    /// The query, key and value projections of `x`, computed in one hand-off to the threads.
    public func projections(_ x: Tensor) -> (query: Tensor, key: Tensor, value: Tensor) {
        let projected = linear(x, layers: [wq, wk, wv].map { ($0.weight, $0.bias) })
        return (projected[0], projected[1], projected[2])
    }

    public func namedParameters() -> [NamedParameter] {
        wq.namedParameters(prefix: "wq") + wk.namedParameters(prefix: "wk") + wv.namedParameters(prefix: "wv")
            + wo.namedParameters(prefix: "wo")
    }
}
