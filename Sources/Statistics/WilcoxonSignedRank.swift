/// Wilcoxon signed-rank test on paired samples (or one sample of differences).
/// Matches `scipy.stats.wilcoxon(a, b, zero_method, correction, alternative, method)` for
/// `zero_method` "wilcox"/"pratt" and `method` "exact"/"asymptotic".
///
/// The statistic is min(R⁺, R⁻) for the two-sided alternative and R⁺ otherwise, as in scipy. The
/// normal approximation is always computed from R⁺ with the tie correction; `.automatic` picks the exact
/// null distribution when n ≤ 50 and there are no ties and no zero differences (scipy's "auto" would
/// use a permutation test for small samples with ties; PruneLab uses the normal approximation there).
public struct WilcoxonSignedRank: Sendable, Codable, Equatable {
    /// How zero differences are treated (scipy's `zero_method`).
    public enum ZeroMethod: String, Sendable, Codable, CaseIterable {
        /// Drop zeros before ranking.
        case wilcox
        /// Rank with the zeros, then drop them (Pratt 1959); more robust.
        case pratt
    }

    public enum Method: String, Sendable, Codable, CaseIterable {
        case automatic = "auto", exact, approximate = "approx"
    }

    public let alternative: Alternative
    public let zeroMethod: ZeroMethod
    public let continuityCorrection: Bool
    /// The method actually used (never `.automatic`).
    public let method: Method
    /// Number of non-zero differences.
    public let n: Int
    public let rankSumPositive: Double
    public let rankSumNegative: Double
    public let statistic: Double
    public let pValue: Double
    /// The standard-normal statistic of the approximation (nil for the exact method); negative
    /// absolute value for two-sided, as scipy reports it.
    public let zStatistic: Double?

    /// Largest n for which `.automatic` uses the exact distribution.
    public static let exactLimit = 50

    public init(_ a: [Double], _ b: [Double], alternative: Alternative = .twoSided,
                zeroMethod: ZeroMethod = .wilcox, continuityCorrection: Bool = false,
                method: Method = .automatic) throws {
        try self.init(differences: PairedSamples.differences(a, b), alternative: alternative,
                      zeroMethod: zeroMethod, continuityCorrection: continuityCorrection, method: method)
    }

    public init(differences d: [Double], alternative: Alternative = .twoSided,
                zeroMethod: ZeroMethod = .wilcox, continuityCorrection: Bool = false,
                method: Method = .automatic) throws {
        try requireFinite(d, "the differences")
        let zeroCount = d.filter { $0 == 0 }.count
        let nonZeroCount = d.count - zeroCount
        try require(nonZeroCount > 0, d.isEmpty
                    ? "the Wilcoxon test needs at least one pair"
                    : "all \(d.count) paired differences are zero: the Wilcoxon test is undefined")

        // Ranks of |d|: over the non-zero values (wilcox) or over all values (pratt).
        let ranked = zeroMethod == .wilcox ? d.filter { $0 != 0 } : d
        let ranks = AverageRanks(ranked.map(abs))
        var rPlus = 0.0, rMinus = 0.0
        for (value, rank) in zip(ranked, ranks.ranks) {
            if value > 0 { rPlus += rank } else if value < 0 { rMinus += rank }
        }
        // Ties among the non-zero |d| (the zero group, ranked first under pratt, does not count).
        var groups = ranks.tieGroupSizes
        if zeroMethod == .pratt && zeroCount > 0 { groups.removeFirst() }
        let hasTies = groups.contains { $0 > 1 }

        var chosen = method
        if chosen == .automatic {
            chosen = (d.count <= Self.exactLimit && !hasTies && zeroCount == 0) ? .exact : .approximate
        }

        let pValue: Double
        var z: Double? = nil
        if chosen == .exact {
            let distribution = try WilcoxonNullDistribution(n: nonZeroCount)
            let lower = distribution.cdf(Int(rPlus.rounded(.up)))
            let upper = distribution.survival(from: Int(rPlus.rounded(.down)))
            pValue = Distributions.pValue(alternative, lower: lower, upper: upper)
        } else {
            let count = Double(ranked.count)
            var mean = count * (count + 1) / 4
            var variance = count * (count + 1) * (2 * count + 1)
            if zeroMethod == .pratt {
                let zeros = Double(zeroCount)
                mean -= zeros * (zeros + 1) / 4
                variance -= zeros * (zeros + 1) * (2 * zeros + 1)
            }
            let tieSum = groups.reduce(0.0) { $0 + Double($1 * $1 * $1 - $1) }
            let standardError = ((variance - tieSum / 2) / 24).squareRoot()
            try require(standardError > 0, "the Wilcoxon normal approximation has zero variance")
            var statisticZ = (rPlus - mean) / standardError
            if continuityCorrection {
                let sign: Double
                switch alternative {
                case .greater: sign = 1
                case .less: sign = -1
                case .twoSided: sign = statisticZ > 0 ? 1 : (statisticZ < 0 ? -1 : 0)
                }
                statisticZ -= sign * 0.5 / standardError
            }
            pValue = Distributions.pValue(
                alternative, cdf: Distributions.normalCDF(statisticZ), sf: Distributions.normalSF(statisticZ),
                absoluteSF: Distributions.normalSF(abs(statisticZ)))
            z = alternative == .twoSided ? -abs(statisticZ) : statisticZ
        }

        self.alternative = alternative
        self.zeroMethod = zeroMethod
        self.continuityCorrection = continuityCorrection
        self.method = chosen
        self.n = nonZeroCount
        self.rankSumPositive = rPlus
        self.rankSumNegative = rMinus
        self.statistic = alternative == .twoSided ? min(rPlus, rMinus) : rPlus
        self.pValue = pValue
        self.zStatistic = z
    }
}

/// The exact null distribution of R⁺ for n untied, non-zero differences: each rank is positive with
/// probability ½, so P(R⁺ = k) counts the subsets of {1…n} summing to k, over 2ⁿ. Counts stay below
/// 2⁵³ for n ≤ 62 and are kept exactly in Double.
struct WilcoxonNullDistribution {
    let n: Int
    private let probabilities: [Double]

    init(n: Int) throws {
        try require(n >= 1 && n <= 62, "the exact Wilcoxon distribution supports 1 ≤ n ≤ 62 (got \(n))")
        self.n = n
        let maxSum = n * (n + 1) / 2
        var counts = [Double](repeating: 0, count: maxSum + 1)
        counts[0] = 1
        var reached = 0
        for rank in 1...n {
            reached += rank
            for sum in stride(from: reached, through: rank, by: -1) { counts[sum] += counts[sum - rank] }
        }
        let total = Double(sign: .plus, exponent: n, significand: 1)
        probabilities = counts.map { $0 / total }
    }

    /// P(R⁺ ≤ k).
    func cdf(_ k: Int) -> Double {
        guard k >= 0 else { return 0 }
        guard k < probabilities.count else { return 1 }
        return probabilities[0...k].reduce(0, +)
    }

    /// P(R⁺ ≥ k).
    func survival(from k: Int) -> Double {
        guard k < probabilities.count else { return 0 }
        return probabilities[max(0, k)...].reduce(0, +)
    }
}
