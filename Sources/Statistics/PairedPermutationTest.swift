/// Paired permutation (sign-flip) test of the mean difference.
/// Matches `scipy.stats.permutation_test((a, b), mean(x − y), permutation_type="samples")`: exact over
/// all 2ⁿ sign patterns (by default when n ≤ `exactLimit`; p = share of the null at least as extreme), Monte Carlo
/// otherwise (p = (count + 1)/(resamples + 1)); two-sided p = 2·min(p_less, p_greater) capped at 1;
/// ties with the observed value are detected with scipy's relative tolerance 100·ε·|observed|.
public struct PairedPermutationTest: Sendable, Codable, Equatable {
    public let alternative: Alternative
    public let n: Int
    /// The observed mean of `a − b`.
    public let statistic: Double
    public let pValue: Double
    public let exact: Bool
    /// Number of sign patterns evaluated (2ⁿ when exact).
    public let resamples: Int
    /// The run seed of the Monte Carlo stream (nil when exact).
    public let seed: UInt64?

    public enum Method: String, Sendable, Codable, CaseIterable {
        /// Exact when n ≤ `exactLimit`, Monte Carlo otherwise.
        case automatic = "auto"
        case exact
        case monteCarlo = "approx"
    }

    /// Largest n `.automatic` tests exactly (2²⁰ ≈ 10⁶ sign patterns).
    public static let exactLimit = 20
    /// Largest n `.exact` accepts (2²⁶ ≈ 6.7·10⁷ sign patterns, a few seconds).
    public static let exactMaximum = 26

    public init(_ a: [Double], _ b: [Double], alternative: Alternative = .twoSided, method: Method = .automatic,
                resamples: Int = 9_999, seed: UInt64 = 0) throws {
        let d = try PairedSamples.differences(a, b)
        try require(d.count >= 2, "the permutation test needs at least 2 pairs (got \(d.count))")
        try require(d.contains { $0 != 0 }, "all \(d.count) paired differences are zero: the permutation test is undefined")
        let n = d.count
        let observed = d.reduce(0, +) / Double(n)
        let tolerance = abs(100 * Double.ulpOfOne * observed)
        let exact = method == .exact || (method == .automatic && n <= Self.exactLimit)
        try require(!exact || n <= Self.exactMaximum,
                    "the exact permutation test supports n ≤ \(Self.exactMaximum) (got \(n)); use the Monte Carlo method")
        var atMost = 0, atLeast = 0

        func count(_ flippedMean: Double) {
            if flippedMean <= observed + tolerance { atMost += 1 }
            if flippedMean >= observed - tolerance { atLeast += 1 }
        }

        let total: Int
        if exact {
            total = 1 << n
            for pattern in 0..<total {
                var sum = 0.0
                for i in 0..<n { sum += (pattern >> i) & 1 == 1 ? -d[i] : d[i] }
                count(sum / Double(n))
            }
        } else {
            try require(resamples >= 1, "the permutation test needs at least 1 resample (got \(resamples))")
            total = resamples
            let stream = RandomStream(seed: seed, path: ["permutation-test"])
            for _ in 0..<resamples {
                var sum = 0.0
                for value in d { sum += stream.bernoulli(0.5) ? -value : value }
                count(sum / Double(n))
            }
        }
        let adjustment = exact ? 0 : 1
        let pLess = Double(atMost + adjustment) / Double(total + adjustment)
        let pGreater = Double(atLeast + adjustment) / Double(total + adjustment)
        pValue = Distributions.pValue(alternative, lower: pLess, upper: pGreater)
        self.alternative = alternative
        self.n = n
        self.statistic = observed
        self.exact = exact
        self.resamples = total
        self.seed = exact ? nil : seed
    }
}
