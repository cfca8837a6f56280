/// A pruner's answer: the kept token indices in ascending (original) order, and the scores it ranked
/// by (higher = more important), so reports can show them.
public struct Selection: Equatable, Sendable {
    public let kept: [Int]
    public let scores: [Float]?

    public init(kept: [Int], scores: [Float]?) {
        self.kept = kept
        self.scores = scores
    }

    /// The `budget` highest scores, ties broken towards the lower index, returned in ascending order.
    /// A NaN or infinite score is an error: it would make the ranking meaningless.
    public static func topK(_ scores: [Float], budget: Int) throws -> Selection {
        if let bad = scores.firstIndex(where: { !$0.isFinite }) {
            throw PruningError.invalidScore(index: bad, value: scores[bad])
        }
        try PruningError.check(budget: budget, tokens: scores.count)
        // Rank by one integer key per token, (score descending, index ascending): a plain integer sort,
        // several times faster than sorting indices through a comparison closure, same order.
        precondition(scores.count <= Int(UInt32.max), "token indices are packed into 32 bits")
        var keys = scores.enumerated().map { index, score in UInt64(descendingKey(score)) << 32 | UInt64(index) }
        keys.sort()
        return Selection(kept: keys.prefix(budget).map { Int($0 & 0xFFFF_FFFF) }.sorted(), scores: scores)
    }

    /// A key whose ascending order is `score`'s descending order (−0 and +0 equal, as `>` has them).
    private static func descendingKey(_ score: Float) -> UInt32 {
        let bits = (score + 0).bitPattern  // −0 + 0 = +0
        let ascending = bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
        return ~ascending
    }
}

/// Why a selection was refused.
public enum PruningError: Error, Equatable, CustomStringConvertible {
    case noTokens
    case budgetOutOfRange(budget: Int, tokens: Int)
    case invalidScore(index: Int, value: Float)
    case invalidSelection(pruner: String, reason: String)
    case unknownPruner(String, known: [String])
    case missingContext(pruner: String, what: String)
    case invalidWeights(pruner: String, reason: String)

    public var description: String {
        switch self {
        case .noTokens: return "there are no visual tokens to prune"
        case .budgetOutOfRange(let budget, let tokens): return "budget \(budget) is out of range 1...\(tokens)"
        case .invalidScore(let index, let value): return "score of token \(index) is \(value); scores must be finite"
        case .invalidSelection(let pruner, let reason): return "pruner '\(pruner)' returned an invalid selection: \(reason)"
        case .unknownPruner(let name, let known):
            return "unknown method '\(name)' (known: \(known.joined(separator: ", ")))"
        case .missingContext(let pruner, let what): return "pruner '\(pruner)' needs \(what)"
        case .invalidWeights(let pruner, let reason): return "weights of pruner '\(pruner)': \(reason)"
        }
    }

    static func check(budget: Int, tokens: Int) throws {
        guard tokens > 0 else { throw PruningError.noTokens }
        guard budget >= 1 && budget <= tokens else { throw PruningError.budgetOutOfRange(budget: budget, tokens: tokens) }
    }
}
