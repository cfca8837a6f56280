/// Upper reference, not a method: keeps the patches that hold the objects the question is about (the
/// task suite's ground truth) first, then fills the budget with random other tokens. Every report marks
/// it as a reference.
public struct OraclePruner: TokenPruner {
    public let name = "oracle"
    public let location = PruningLocation.beforeLanguageModel

    public init() {}

    public func select(_ tokens: VisualTokens, budget: Int, context: PruningContext) throws -> Selection {
        let relevant = Array(context.relevantPatches.filter { $0 >= 0 && $0 < tokens.count }.prefix(budget))
        let chosen = Set(relevant)
        let others = (0..<tokens.count).filter { !chosen.contains($0) }
        let fill = try context.random.choose(budget - relevant.count, from: others.count).map { others[$0] }
        let scores = (0..<tokens.count).map { chosen.contains($0) ? Float(1) : 0 }
        return Selection(kept: (relevant + fill).sorted(), scores: scores)
    }
}
