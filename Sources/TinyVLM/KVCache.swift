import Autograd

/// Keys and values of every language-model layer after a prefill, `[tokens, width]` each, so decoding can
/// continue without recomputing the prompt. After in-LLM pruning, the layers past the pruning point hold
/// only the kept tokens.
public struct KVCache {
    public var keys: [Tensor] = []
    public var values: [Tensor] = []
    /// Position id of each cached row, per layer.
    public var positions: [[Int]] = []

    /// Cached tokens per layer.
    public var tokensPerLayer: [Int] { keys.map { $0.shape[0] } }
}
