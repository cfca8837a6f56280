/// A lookup table of `count` vectors of width `width`, parameter `weight` `[count, width]`.
public final class Embedding: Module {
    public let weight: Tensor

    /// Entries drawn from N(0, 1).
    public init(count: Int, width: Int, using source: inout some RandomSource) {
        weight = Tensor(randomNormal: [count, width], using: &source)
        weight.requiresGrad = true
    }

    /// The rows for `ids`, `[ids.count, width]`.
    public func callAsFunction(_ ids: [Int]) -> Tensor { weight.gathered(ids, axis: 0) }

    public func namedParameters() -> [NamedParameter] { [("weight", weight)] }
}
