import Autograd

/// DynamicViT's prediction module (Rao et al. 2021, `models/dyvit.py` `PredictorLG`): LayerNorm →
/// Linear (to `hidden` = h channels; DynamicViT: h = d) → GELU; the first half of the channels stays per
/// token ("local"), the second half becomes the keep-weighted mean over tokens ("global"); concatenated,
/// an MLP h → h/2 → h/4 → 2 gives the log-probabilities of (keep, drop).
final class KeepPredictor: Module {
    let norm: LayerNorm
    let input: Linear
    let fc1: Linear, fc2: Linear, fc3: Linear
    let hidden: Int

    init(width: Int, hidden: Int, using source: inout some RandomSource) {
        precondition(hidden % 4 == 0, "the predictor width must be divisible by 4")
        self.hidden = hidden
        norm = LayerNorm(width: width)
        input = Linear(inputs: width, outputs: hidden, using: &source)
        fc1 = Linear(inputs: hidden, outputs: hidden / 2, using: &source)
        fc2 = Linear(inputs: hidden / 2, outputs: hidden / 4, using: &source)
        fc3 = Linear(inputs: hidden / 4, outputs: 2, using: &source)
    }

    /// Log-probabilities `[batch, N, 2]` (keep, drop) for features `[batch, N, width]`.
    func callAsFunction(_ features: Tensor) -> Tensor {
        // Both MLPs work on each token alone, so each runs as one per-token pipeline.
        let x = RowWisePipeline([.layerNorm(norm), .linear(input), .gelu])(features)
        let joined = GradientMode.isRecording ? localAndGlobal(x) : localAndGlobalAtInference(x)
        return RowWisePipeline([.linear(fc1), .gelu, .linear(fc2), .gelu, .linear(fc3), .logSoftmax])(joined)
    }

    /// Each token's first half of channels ("local"), then the mean over tokens of the second half
    /// ("global"). DynamicViT pools under the previous stage's keep policy, Σ(x·p) / (Σp + 1e-6); with one
    /// pruning stage the policy is all ones, so this is that pool with p = 1 (the same values, bit for bit).
    func localAndGlobal(_ x: Tensor) -> Tensor {
        let (batch, tokens, half) = (x.shape[0], x.shape[1], hidden / 2)
        let local = x.sliced(axis: 2, 0..<half)
        let pooled = x.sliced(axis: 2, half..<hidden).sum(axis: 1, keepingDimension: true) / Tensor(Float(tokens) + 1e-6)
        return concat([local, pooled.broadcasted(to: [batch, tokens, half])], axis: 2)
    }

    /// `localAndGlobal` in one pass without recording: the same sums in the same order, the same division
    /// and the same `+ 0` of the broadcast, so the same bits, without five intermediate tensors.
    func localAndGlobalAtInference(_ x: Tensor) -> Tensor {
        let (batch, tokens, half) = (x.shape[0], x.shape[1], hidden / 2)
        let divisor = Float(tokens) + 1e-6
        return Tensor(shape: x.shape) { result in
            x.withUnsafeBufferPointer { x in
                var pooled = [Float](repeating: 0, count: half)
                for b in 0..<batch {
                    for i in 0..<half { pooled[i] = 0 }
                    for n in 0..<tokens {
                        let row = (b * tokens + n) * hidden
                        for i in 0..<half {
                            result[row + i] = x[row + i]
                            pooled[i] += x[row + half + i]
                        }
                    }
                    for i in 0..<half { pooled[i] = pooled[i] / divisor + 0 }
                    for n in 0..<tokens {
                        let row = (b * tokens + n) * hidden
                        for i in 0..<half { result[row + half + i] = pooled[i] }
                    }
                }
            }
        }
    }

    func namedParameters() -> [NamedParameter] {
        norm.namedParameters(prefix: "norm") + input.namedParameters(prefix: "in")
            + fc1.namedParameters(prefix: "fc1") + fc2.namedParameters(prefix: "fc2") + fc3.namedParameters(prefix: "fc3")
    }
}
