import Autograd

/// Patch embedding, learned positions and non-causal transformer blocks over the image patches.
/// Its output is the "visual tokens before the projector".
public final class VisionEncoder: Module {
    public let patchEmbedding: Linear
    public let positions: LearnedPositions
    public let blocks: TransformerStack
    public let norm: LayerNorm
    let fixedPositions: Tensor?
    let normalisePixels: Bool

    init(_ configuration: TinyVLMConfiguration, using source: inout some RandomSource) {
        let c = configuration
        patchEmbedding = Linear(inputs: c.layout.patchDimension, outputs: c.visionWidth, using: &source)
        positions = LearnedPositions(positions: c.visualTokens, width: c.visionWidth, using: &source)
        blocks = TransformerStack(layers: c.visionLayers, width: c.visionWidth, heads: c.visionHeads,
                                  hidden: 4 * c.visionWidth, using: &source)
        norm = LayerNorm(width: c.visionWidth)
        fixedPositions = c.sinusoidalTable(width: c.visionWidth, rows: c.visualTokens)
        normalisePixels = c.normalisePixels == true
    }

    /// `patches` `[batch, N, patchDimension]` (or `[N, patchDimension]`) → `[batch, N, visionWidth]`.
    public func callAsFunction(_ patches: Tensor) -> Tensor {
        let tokens = patches.shape[patches.rank - 2]
        let input = normalisePixels ? (patches - 0.35) * 4 : patches
        var embedded = patchEmbedding(input) + positions(Array(0..<tokens))
        if let fixedPositions { embedded = embedded + fixedPositions.sliced(axis: 0, 0..<tokens) }
        return norm(blocks(embedded))
    }

    public func namedParameters() -> [NamedParameter] {
        patchEmbedding.namedParameters(prefix: "patch_embedding") + positions.namedParameters(prefix: "positions")
            + blocks.namedParameters(prefix: "blocks") + norm.namedParameters(prefix: "norm")
    }
}

/// The two-layer MLP mapping vision features into the language model's width (LLaVA-1.5's projector).
/// Its output is the "visual tokens after the projector".
public final class Projector: Module {
    public let fc1: Linear, fc2: Linear

    init(_ configuration: TinyVLMConfiguration, using source: inout some RandomSource) {
        fc1 = Linear(inputs: configuration.visionWidth, outputs: configuration.width, using: &source)
        fc2 = Linear(inputs: configuration.width, outputs: configuration.width, using: &source)
    }

    public func callAsFunction(_ features: Tensor) -> Tensor { fc2(fc1(features).gelu()) }

    public func namedParameters() -> [NamedParameter] {
        fc1.namedParameters(prefix: "fc1") + fc2.namedParameters(prefix: "fc2")
    }
}
