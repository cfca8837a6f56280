/// Keeps a uniformly random K-subset (GSL's `gsl_ran_choose`, which keeps the original order). A strong
/// baseline in recent benchmarks, so every comparison includes it.
public struct RandomPruner: TokenPruner {
    public let name = "random"
    public let location = PruningLocation.beforeLanguageModel

    public init() {}

    public func select(_ tokens: VisualTokens, budget: Int, context: PruningContext) throws -> Selection {
        Selection(kept: try context.random.choose(budget, from: tokens.count), scores: nil)
    }
}
