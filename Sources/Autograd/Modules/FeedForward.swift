/// The transformer MLP `fc2(GELU(fc1(x)))`, widening to `hidden` and back.
public final class FeedForward: Module {
    public let fc1: Linear, fc2: Linear

    public init(width: Int, hidden: Int, using source: inout some RandomSource) {
        fc1 = Linear(inputs: width, outputs: hidden, using: &source)
        fc2 = Linear(inputs: hidden, outputs: width, using: &source)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { fc2(linearGELU(x, weight: fc1.weight, bias: fc1.bias)) }

    public func namedParameters() -> [NamedParameter] { fc1.namedParameters(prefix: "fc1") + fc2.namedParameters(prefix: "fc2") }
}
