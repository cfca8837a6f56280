/// Paired Student t-test with the confidence interval of the mean difference and Cohen's d_z.
/// Matches `scipy.stats.ttest_rel(a, b, alternative=...)` and its `confidence_interval(confidence_level)`.
public struct PairedTTest: Sendable, Codable, Equatable {
    public let alternative: Alternative
    public let n: Int
    /// Mean of `a − b`.
    public let meanDifference: Double
    public let statistic: Double
    public let degreesOfFreedom: Double
    public let pValue: Double
    public let confidence: Double
    /// Confidence bounds of the mean difference; one of them is infinite for a one-sided alternative.
    public let confidenceLow: Double
    public let confidenceHigh: Double
    /// Cohen's d_z: mean difference over the standard deviation of the differences.
    public let cohensDz: Double

    public init(_ a: [Double], _ b: [Double], alternative: Alternative = .twoSided,
                confidence: Double = 0.95) throws {
        let d = try PairedSamples.differences(a, b)
        try require(d.count >= 2, "the paired t-test needs at least 2 pairs (got \(d.count))")
        try require(confidence > 0 && confidence < 1, "confidence must be in (0, 1) (got \(confidence))")
        let summary = MeanAndDeviation(d)
        try require(summary.standardDeviation > 0,
                    "all paired differences are equal (\(d[0])): zero variance, the t statistic is undefined")
        let n = Double(d.count)
        let df = n - 1
        let standardError = summary.standardDeviation / n.squareRoot()
        let t = summary.mean / standardError

        self.alternative = alternative
        self.n = d.count
        self.meanDifference = summary.mean
        self.statistic = t
        self.degreesOfFreedom = df
        self.pValue = Distributions.pValue(
            alternative, cdf: Distributions.studentCDF(t, df: df), sf: Distributions.studentSF(t, df: df),
            absoluteSF: Distributions.studentSF(abs(t), df: df))
        self.confidence = confidence
        switch alternative {
        case .twoSided:
            let q = Distributions.studentQuantile(0.5 + confidence / 2, df: df)
            confidenceLow = summary.mean - q * standardError
            confidenceHigh = summary.mean + q * standardError
        case .less:
            confidenceLow = -.infinity
            confidenceHigh = summary.mean + Distributions.studentQuantile(confidence, df: df) * standardError
        case .greater:
            confidenceLow = summary.mean - Distributions.studentQuantile(confidence, df: df) * standardError
            confidenceHigh = .infinity
        }
        self.cohensDz = summary.mean / summary.standardDeviation
    }
}

/// Sample mean and standard deviation (n − 1 denominator), by Welford's update for stability.
struct MeanAndDeviation {
    let mean: Double
    let standardDeviation: Double

    init(_ values: [Double]) {
        var mean = 0.0, m2 = 0.0
        for (index, value) in values.enumerated() {
            let delta = value - mean
            mean += delta / Double(index + 1)
            m2 += delta * (value - mean)
        }
        self.mean = mean
        self.standardDeviation = values.count > 1 ? (m2 / Double(values.count - 1)).squareRoot() : 0
    }
}

/// Validation shared by the paired procedures.
enum PairedSamples {
    /// `a − b`, element by element, after checking lengths and finiteness.
    static func differences(_ a: [Double], _ b: [Double]) throws -> [Double] {
        try require(a.count == b.count, "paired samples differ in length (\(a.count) vs \(b.count))")
        try requireFinite(a, "the first sample")
        try requireFinite(b, "the second sample")
        return zip(a, b).map { $0 - $1 }
    }
}
