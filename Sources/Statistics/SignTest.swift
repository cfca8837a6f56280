/// Sign test on paired samples: the number of positive differences against Bin(n, ½), zeros dropped.
/// The p-value matches `scipy.stats.binomtest(n_positive, n_positive + n_negative, 0.5, alternative)`;
/// `statsmodelsM` is statsmodels' `sign_test` statistic (n⁺ − n⁻)/2, whose p-value equals the two-sided one.
public struct SignTest: Sendable, Codable, Equatable {
    public let alternative: Alternative
    public let positiveCount: Int
    public let negativeCount: Int
    /// n⁺, the number of positive differences.
    public var statistic: Double { Double(positiveCount) }
    public var statsmodelsM: Double { Double(positiveCount - negativeCount) / 2 }
    public let pValue: Double

    public init(_ a: [Double], _ b: [Double], alternative: Alternative = .twoSided) throws {
        let d = try PairedSamples.differences(a, b)
        let positive = d.filter { $0 > 0 }.count
        let negative = d.filter { $0 < 0 }.count
        let n = positive + negative
        try require(n > 0, d.isEmpty ? "the sign test needs at least one pair"
                    : "all \(d.count) paired differences are zero: the sign test is undefined")
        self.alternative = alternative
        self.positiveCount = positive
        self.negativeCount = negative
        let lower = Distributions.binomialCDF(positive, p: 0.5, n: n)
        let upper = Distributions.binomialSurvivalFrom(positive, p: 0.5, n: n)
        pValue = Distributions.pValue(alternative, lower: lower, upper: upper)
    }
}
