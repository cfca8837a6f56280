/// LayerNorm over the last axis with a learned scale (`weight`, ones) and shift (`bias`, zeros).
public final class LayerNorm: Module {
    public let weight: Tensor, bias: Tensor
    public let epsilon: Float

    public init(width: Int, epsilon: Float = 1e-5) {
        weight = Tensor(repeating: 1, shape: [width])
        bias = Tensor(zeros: [width])
        weight.requiresGrad = true
        bias.requiresGrad = true
        self.epsilon = epsilon
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { layerNorm(x, weight: weight, bias: bias, epsilon: epsilon) }

    public func namedParameters() -> [NamedParameter] { [("weight", weight), ("bias", bias)] }
}

/// RMSNorm over the last axis with a learned scale (`weight`, ones).
public final class RMSNorm: Module {
    public let weight: Tensor
    public let epsilon: Float

    public init(width: Int, epsilon: Float = 1e-6) {
        weight = Tensor(repeating: 1, shape: [width])
        weight.requiresGrad = true
        self.epsilon = epsilon
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { rmsNorm(x, weight: weight, epsilon: epsilon) }

    public func namedParameters() -> [NamedParameter] { [("weight", weight)] }
}
