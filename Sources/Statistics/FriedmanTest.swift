/// Friedman's rank test for k methods measured on the same N blocks (e.g. task × seed), with the
/// Iman–Davenport F and the Nemenyi critical difference for a critical-difference diagram.
/// The tie-corrected χ² matches `scipy.stats.friedmanchisquare`; without the correction it is Demšar
/// (2006)'s χ²_F. Ranks are within each block, 1 = smallest value, ties averaged: pass scores where
/// larger is better and the best method has the highest mean rank.
public struct FriedmanTest: Sendable, Codable, Equatable {
    public let blocks: Int
    public let groups: Int
    public let tieCorrection: Bool
    /// Friedman's χ² (tie-corrected if `tieCorrection`), df k − 1.
    public let statistic: Double
    public let pValue: Double
    /// Mean rank of each column (method).
    public let meanRanks: [Double]
    /// Iman–Davenport F = (N − 1)χ² / (N(k − 1) − χ²) from `statistic`; infinite when every block ranks
    /// the methods identically (then its p-value is 0).
    public let imanDavenportF: Double
    public let imanDavenportPValue: Double
    public let alpha: Double
    /// Nemenyi critical difference of mean ranks at `alpha`: q_α·√(k(k + 1)/(6N)).
    public let criticalDifference: Double

    /// `data[block][method]`.
    public init(_ data: [[Double]], tieCorrection: Bool = true, alpha: Double = 0.05) throws {
        let n = data.count
        try require(n >= 2, "the Friedman test needs at least 2 blocks (rows), got \(n)")
        let k = data[0].count
        try require(k >= 2, "the Friedman test needs at least 2 methods (columns), got \(k)")
        for (index, row) in data.enumerated() {
            try require(row.count == k, "row \(index + 1) has \(row.count) values, expected \(k)")
            try requireFinite(row, "row \(index + 1)")
        }
        var rankSums = [Double](repeating: 0, count: k)
        var tieSum = 0.0
        for row in data {
            let ranks = AverageRanks(row)
            for j in 0..<k { rankSums[j] += ranks.ranks[j] }
            tieSum += ranks.tieSum
        }
        let nn = Double(n), kk = Double(k)
        let sumOfSquares = rankSums.reduce(0) { $0 + $1 * $1 }
        var chiSquare = 12 / (nn * kk * (kk + 1)) * sumOfSquares - 3 * nn * (kk + 1)
        if tieCorrection {
            let factor = 1 - tieSum / (kk * (kk * kk - 1) * nn)
            try require(factor > 0, "every block ties all methods: the Friedman test is undefined")
            chiSquare /= factor
        }
        chiSquare = max(0, chiSquare)  // rounding can leave −1e-15 when all mean ranks are equal

        self.blocks = n
        self.groups = k
        self.tieCorrection = tieCorrection
        self.statistic = chiSquare
        self.pValue = Distributions.chiSquareSF(chiSquare, df: kk - 1)
        self.meanRanks = rankSums.map { $0 / nn }
        let denominator = nn * (kk - 1) - chiSquare
        if denominator > 1e-12 * nn * kk {
            imanDavenportF = (nn - 1) * chiSquare / denominator
            imanDavenportPValue = Distributions.fisherSF(imanDavenportF, df1: kk - 1, df2: (kk - 1) * (nn - 1))
        } else {
            imanDavenportF = .infinity
            imanDavenportPValue = 0
        }
        self.alpha = alpha
        self.criticalDifference = try Self.nemenyiCriticalDifference(groups: k, blocks: n, alpha: alpha)
    }

    /// The Nemenyi critical difference q_α·√(k(k + 1)/(6N)) for k methods over N blocks.
    public static func nemenyiCriticalDifference(groups k: Int, blocks n: Int, alpha: Double) throws -> Double {
        try require(n >= 1, "the critical difference needs at least one block")
        let q = try StudentizedRange.nemenyiQ(alpha: alpha, groups: k)
        return q * (Double(k * (k + 1)) / (6 * Double(n))).squareRoot()
    }
}
