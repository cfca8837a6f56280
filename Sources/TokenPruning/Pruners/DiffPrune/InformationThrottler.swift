import Autograd
import Statistics
import TinyVLM

/// DiffPrune's Information Throttler: how a token's soft keep value `α ∈ [0, 1]` controls the information
/// that reaches the language model during training. Removed at inference.
public enum InformationThrottler: String, CaseIterable, Sendable, Codable {
    /// Variance-preserving noise (the method): `x̃ = r·(√α·x̂ + √(1 − α)·ε)`, where `r` is the image's RMS
    /// over all its token features (outside the graph), `x̂ = x/r`, and `ε ~ N(0, I)`, one draw per token
    /// per step. Unit noise is thus on the tokens' scale (the paper leaves this open); one `r` per image
    /// rather than per token, so a fully throttled token carries nothing of its own magnitude.
    case vpNoise = "vp-noise"
    /// A multiplicative gate `x̃ = α·x` (ablation).
    case scaleGate = "scale-gate"
    /// A hard top-K of the Gumbel-perturbed scores in the forward pass, with the soft top-K's gradient
    /// (straight-through; ablation).
    case gumbelSTE = "gumbel-ste"

    /// Throttles `features` `[batch, N, width]` with keep values `alpha` `[batch, N]`; `hard` is the
    /// Gumbel-STE forward mask `[batch, N]` (only for `.gumbelSTE`).
    func apply(_ features: Tensor, alpha: Tensor, hard: Tensor?, noise: RandomStream) -> Tensor {
        let (batch, tokens) = (features.shape[0], features.shape[1])
        switch self {
        case .vpNoise:
            let rms = withoutGradient {
                (features * features).mean(axis: 2, keepingDimension: true).mean(axis: 1, keepingDimension: true).sqrt() + 1e-6
            }
            let normalised = withoutGradient { features / rms }
            // Keep √ away from 0, where its derivative is infinite.
            let a = (alpha * (1 - 2e-6) + 1e-6).reshaped([batch, tokens, 1])
            let epsilon = Tensor(shape: features.shape, values: (0..<features.count).map { _ in Float(noise.gaussian()) })
            return rms * (a.sqrt() * normalised + (1 - a).sqrt() * epsilon)
        case .scaleGate:
            return alpha.reshaped([batch, tokens, 1]) * features
        case .gumbelSTE:
            guard let hard else { preconditionFailure("the Gumbel-STE throttler needs its hard mask") }
            let straightThrough = hard + alpha - alpha.detached()
            return straightThrough.reshaped([batch, tokens, 1]) * features
        }
    }
}

/// DiffPrune's denoiser, applied to throttled tokens during training only.
public enum DenoiserKind: String, CaseIterable, Sendable, Codable {
    /// One transformer block whose attention mask is the identity: each token attends only to itself, so
    /// nothing mixes across tokens (the method).
    case diagonal
    /// The same block with ordinary full attention (ablation).
    case global
    /// No denoiser (ablation).
    case none
}

/// The denoiser block's parameters and forward pass.
final class Denoiser: Module {
    let kind: DenoiserKind
    let block: TransformerBlock

    init(kind: DenoiserKind, width: Int, heads: Int, using source: inout some RandomSource) {
        self.kind = kind
        block = TransformerBlock(width: width, heads: heads, hidden: 2 * width, using: &source)
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        switch kind {
        case .none:
            return x
        case .global:
            return block(x).output
        case .diagonal:  // softmax over a single key is 1: attention returns each token's own value
            let attended = x + block.attn.wo(block.attn.wv(block.norm1(x)))
            return attended + block.mlp(block.norm2(attended))
        }
    }

    func namedParameters() -> [NamedParameter] { kind == .none ? [] : block.namedParameters() }
}
