/// A visual-token pruning strategy. One requirement does the work; validation and everything else
/// live in extensions, so a new pruner is one type with one method.
public protocol TokenPruner {
    /// The registry key, e.g. "diffprune".
    var name: String { get }
    /// Where the pruner acts.
    var location: PruningLocation { get }
    /// Whether every selection keeps exactly `budget` tokens (true for every built-in pruner except
    /// DiffPrune's threshold-inference mode, where the budget is an upper bound).
    var keepsExactBudget: Bool { get }
    /// Chooses `budget` of `tokens.count` tokens. Implementations may assume 1 ≤ budget ≤ count; the
    /// result must be `budget` distinct indices in ascending order (`Selection.topK` gives that), or
    /// between 1 and `budget` of them when `keepsExactBudget` is false.
    func select(_ tokens: VisualTokens, budget: Int, context: PruningContext) throws -> Selection
}

extension TokenPruner {
    public var keepsExactBudget: Bool { true }

    /// `select` with its contract enforced: the budget is checked first and the selection after, so a
    /// faulty pruner is a clear error, never a silently wrong comparison.
    public func prune(_ tokens: VisualTokens, budget: Int, context: PruningContext) throws -> Selection {
        try PruningError.check(budget: budget, tokens: tokens.count)
        let selection = try select(tokens, budget: budget, context: context)
        let kept = selection.kept
        func refuse(_ reason: String) -> PruningError { .invalidSelection(pruner: name, reason: reason) }
        guard kept.count == budget || (!keepsExactBudget && (1...budget).contains(kept.count)) else {
            throw refuse("\(kept.count) tokens kept, budget \(budget)")
        }
        guard zip(kept, kept.dropFirst()).allSatisfy({ $0 < $1 }) else { throw refuse("indices not strictly ascending") }
        guard let first = kept.first, let last = kept.last, first >= 0, last < tokens.count else {
            throw refuse("indices outside 0..<\(tokens.count)")
        }
        if let scores = selection.scores {
            guard scores.count == tokens.count else { throw refuse("\(scores.count) scores for \(tokens.count) tokens") }
            if let bad = scores.firstIndex(where: { !$0.isFinite }) { throw PruningError.invalidScore(index: bad, value: scores[bad]) }
        }
        return selection
    }
}
