import Autograd

/// A learned absolute position table `[positions, width]`, initialised small (N(0, 0.02²)) so it does not
/// drown the content at the start of training. Rows are looked up by position id, so pruned tokens keep
/// their original positions.
public final class LearnedPositions: Module {
    public let weight: Tensor

    public init(positions: Int, width: Int, using source: inout some RandomSource) {
        weight = Tensor(randomNormal: [positions, width], standardDeviation: 0.02, using: &source)
        weight.requiresGrad = true
    }

    /// Rows for `ids`, `[ids.count, width]`.
    public func callAsFunction(_ ids: [Int]) -> Tensor { weight.gathered(ids, axis: 0) }

    public func namedParameters() -> [NamedParameter] { [("weight", weight)] }
}
