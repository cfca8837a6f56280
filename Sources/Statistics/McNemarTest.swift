/// McNemar's test for paired binary outcomes (per-item correctness of two methods on the same items).
/// Matches `statsmodels.stats.contingency_tables.mcnemar(table, exact, correction)`.
///
/// `b` counts items the first method got right and the second wrong, `c` the reverse. Exact:
/// statistic min(b, c), p = min(1, 2·P[Bin(b + c, ½) ≤ min(b, c)]). Chi-square: (|b − c| − k)²/(b + c)
/// with k = 1 under the continuity correction, df 1. With no discordant pairs there is no evidence of
/// a difference: PruneLab reports statistic 0 and p = 1 (statsmodels returns NaN for the chi-square).
public struct McNemarTest: Sendable, Codable, Equatable {
    public let exact: Bool
    public let continuityCorrection: Bool
    /// Concordant and discordant counts: `table[i][j]` = items with first outcome i and second outcome j.
    public let table: [[Int]]
    public let statistic: Double
    public let pValue: Double
    /// Accuracy of the first method minus that of the second: (b − c)/n.
    public let accuracyDifference: Double

    /// From the 2×2 table `[[n00, n01], [n10, n11]]` (statsmodels' layout).
    public init(table: [[Int]], exact: Bool = true, continuityCorrection: Bool = true) throws {
        try require(table.count == 2 && table.allSatisfy { $0.count == 2 }, "the McNemar table must be 2×2")
        try require(table.joined().allSatisfy { $0 >= 0 }, "the McNemar table has a negative count")
        let total = table.joined().reduce(0, +)
        try require(total > 0, "the McNemar table is empty")
        let b = table[1][0], c = table[0][1]  // first right & second wrong, first wrong & second right
        let discordant = b + c
        self.exact = exact
        self.continuityCorrection = continuityCorrection
        self.table = table
        self.accuracyDifference = Double(b - c) / Double(total)
        if discordant == 0 {
            statistic = 0
            pValue = 1
        } else if exact {
            statistic = Double(min(b, c))
            pValue = min(1, 2 * Distributions.binomialCDF(min(b, c), p: 0.5, n: discordant))
        } else {
            let shift: Double = continuityCorrection ? 1 : 0
            let excess = Double(abs(b - c)) - shift
            statistic = excess * excess / Double(discordant)
            pValue = Distributions.chiSquareSF(statistic, df: 1)
        }
    }

    /// From two columns of per-item correctness (0 or 1 each), first method first.
    public init(_ first: [Double], _ second: [Double], exact: Bool = true,
                continuityCorrection: Bool = true) throws {
        try require(first.count == second.count,
                    "paired samples differ in length (\(first.count) vs \(second.count))")
        try require(!first.isEmpty, "McNemar's test needs at least one pair")
        var table = [[0, 0], [0, 0]]
        for (index, (x, y)) in zip(first, second).enumerated() {
            try require((x == 0 || x == 1) && (y == 0 || y == 1),
                        "McNemar's test needs 0/1 outcomes; row \(index + 1) has (\(x), \(y))")
            table[Int(x)][Int(y)] += 1
        }
        try self.init(table: table, exact: exact, continuityCorrection: continuityCorrection)
    }
}
