/// The transformer MLP `fc2(GELU(fc1(x)))`, widening to `hidden` and back.
public final class FeedForward: Module {
    public let fc1: Linear, fc2: Linear

    public init(width: Int, hidden: Int, using source: inout some RandomSource) {
        fc1 = Linear(inputs: width, outputs: hidden, using: &source)
        fc2 = Linear(inputs: hidden, outputs: width, using: &source)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { fc2(fc1.gelu(x)) }

    /// `residual + self(x)`, a residual connection (fused into the second product at inference).
    public func callAsFunction(_ x: Tensor, adding residual: Tensor) -> Tensor { fc2(fc1.gelu(x), adding: residual) }

    public func namedParameters() -> [NamedParameter] { fc1.namedParameters(prefix: "fc1") + fc2.namedParameters(prefix: "fc2") }
}
