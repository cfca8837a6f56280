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
        // Rank by one distinct integer key per token, (score descending, index ascending). The kept tokens
        // are those whose key is at most the budget-th smallest, found by selection rather than a sort (a
        // sort of 144 keys cost a sixth of a learned pruner's time), and listed by a scan in index order.
        // The keys live in temporary memory: the selection runs right after a prefill, where each
        // allocation's cold code costs more than its work.
        precondition(scores.count <= Int(UInt32.max), "token indices are packed into 32 bits")
        func key(_ index: Int) -> UInt64 { UInt64(descendingKey(scores[index])) << 32 | UInt64(index) }
        let threshold = withUnsafeTemporaryAllocation(of: UInt64.self, capacity: scores.count) { keys in
            for index in scores.indices { keys[index] = key(index) }
            return smallest(budget, of: keys)
        }
        var kept: [Int] = []
        kept.reserveCapacity(budget)
        for index in scores.indices where key(index) <= threshold { kept.append(index) }
        return Selection(kept: kept, scores: scores)
    }

    /// The `rank`-th smallest (1-based) of distinct `keys`, by quickselect with a median-of-three pivot
    /// (which reorders `keys`).
    /// Orders that defeat the pivot (one extreme first, then the rest sorted) would make that quadratic, so
    /// after twice as many partitions as halvings would take, the rest of the range is sorted instead.
    private static func smallest(_ rank: Int, of keys: UnsafeMutableBufferPointer<UInt64>) -> UInt64 {
        var keys = keys  // the pointer, so that a range of it can be sorted in place
        let target = rank - 1
        var (low, high) = (0, keys.count - 1)
        var partitionsLeft = 2 * (Int.bitWidth - keys.count.leadingZeroBitCount)
        while low < high {
            guard partitionsLeft > 0 else {
                keys[low...high].sort()
                return keys[target]
            }
            partitionsLeft -= 1
            let middle = low + (high - low) / 2
            let pivot = Swift.max(Swift.min(keys[low], keys[middle]), Swift.min(Swift.max(keys[low], keys[middle]), keys[high]))
            var (i, j) = (low, high)
            while i <= j {  // Hoare partition: [low, j] ≤ pivot ≤ [i, high]
                while keys[i] < pivot { i += 1 }
                while keys[j] > pivot { j -= 1 }
                if i <= j {
                    keys.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if target <= j { high = j } else if target >= i { low = i } else { return keys[target] }
        }
        return keys[target]
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
