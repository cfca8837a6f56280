import SyntheticVQA

/// The raw result of one unit, written to `units/<key>.json` as soon as the unit finishes. Everything
/// but `timing` is a deterministic function of the plan, so a resumed or sharded run reproduces it.
public struct UnitResult: Codable, Sendable, Equatable {
    /// Relevant-patch recall of one task family: the sum over items that have relevant patches of
    /// |kept ∩ relevant| / |relevant|, and how many such items there were.
    public struct Recall: Codable, Sendable, Equatable {
        public var sum: Double
        public var items: Int
    }

    /// Medians of the timed runs (times in milliseconds, ratios paired run by run), and where they were
    /// measured. The unpruned prefill is timed on the same items, alternating run by run with this unit's,
    /// so that speedups are paired and drift in the machine's speed between units cancels.
    public struct Timing: Codable, Sendable, Equatable {
        public var prefillMilliseconds: Double
        public var prunerMilliseconds: Double
        public var unprunedPrefillMilliseconds: Double
        /// Median over the timed pairs of unpruned prefill time over this unit's. Not the ratio of the
        /// two medians: this machine switches between a fast and a slow state every few seconds, and when
        /// a unit's runs straddle a switch the two medians can fall in different states.
        public var speedup: Double
        /// Median over the timed pairs of the pruner's time over the unpruned prefill's.
        public var prunerShare: Double
        public var samples: Int
        public var threads: Int
        public var machine: String
    }

    public var unit: ComparisonUnit
    public var keepTokens: Int
    /// One character per test item in plan order (families in `TaskFamily.allCases` order): "1" correct.
    public var correct: String
    /// Per family, in `TaskFamily.allCases` order.
    public var recall: [Recall]
    /// Mean language-model prefill FLOPs per item, and mean tokens per layer.
    public var flops: Double
    public var tokensPerLayer: [Double]
    public var timing: Timing

    /// Correctness as 0/1 values.
    public var outcomes: [Double] { correct.utf8.map { $0 == UInt8(ascii: "1") ? 1 : 0 } }

    /// The same result without what legitimately varies between runs (timings), for equality checks.
    public var withoutTiming: UnitResult {
        var copy = self
        copy.timing = Timing(prefillMilliseconds: 0, prunerMilliseconds: 0, unprunedPrefillMilliseconds: 0,
                             speedup: 0, prunerShare: 0, samples: 0, threads: 0, machine: "")
        return copy
    }
}
