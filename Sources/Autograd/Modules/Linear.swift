/// A fully connected layer `y = x·Wᵀ + b` with `weight` `[out, in]` and optional `bias` `[out]`.
public final class Linear: Module {
    public let weight: Tensor
    public let bias: Tensor?

    /// Weights drawn from N(0, 1/in) (variance-preserving), bias zero.
    public init(inputs: Int, outputs: Int, bias: Bool = true, using source: inout some RandomSource) {
        weight = Tensor(randomNormal: [outputs, inputs], standardDeviation: 1 / Float(inputs).squareRoot(), using: &source)
        weight.requiresGrad = true
        self.bias = bias ? Tensor(zeros: [outputs]) : nil
        self.bias?.requiresGrad = true
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { linear(x, weight: weight, bias: bias) }

    /// `residual + self(x)`, a residual connection (fused into the product at inference).
    public func callAsFunction(_ x: Tensor, adding residual: Tensor) -> Tensor {
        linear(x, weight: weight, bias: bias, adding: residual)
    }

    /// `self(x).gelu()` (fused into the product at inference).
    public func gelu(_ x: Tensor) -> Tensor { linearGELU(x, weight: weight, bias: bias) }

    public func namedParameters() -> [NamedParameter] { [("weight", weight)] + (bias.map { [("bias", $0)] } ?? []) }
}
