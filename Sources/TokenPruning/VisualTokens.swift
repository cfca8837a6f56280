import Autograd

/// The visual tokens of one image, as a pruner may look at them.
public struct VisualTokens {
    /// Vision-encoder output before the projector, `[N, visionWidth]`.
    public let features: Tensor
    /// Projected tokens, the language model's input, `[N, width]`.
    public let projected: Tensor

    public init(features: Tensor, projected: Tensor) {
        precondition(features.shape[0] == projected.shape[0], "features and projected tokens differ in count")
        self.features = features
        self.projected = projected
    }

    public var count: Int { projected.shape[0] }
}
