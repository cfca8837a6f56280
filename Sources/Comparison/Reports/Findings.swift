import Foundation

/// The significance results in words: which differences are significant, and which retention claims
/// the lower confidence bounds support.
enum Findings {
    /// The retention a claim is checked against (the paper's headline at 64 of 576 tokens).
    static let claimedRetention = 0.965

    static func statements(_ analysis: ComparisonAnalysis) -> [String] {
        var lines: [String] = []
        let alpha = analysis.alpha
        for ratio in analysis.plan.keepRatios {
            guard let sample = analysis.row(analysis.plan.reference, ratio) else { continue }
            let budget = ReportFormat.budget(sample)
            for comparison in analysis.pooledComparisons where comparison.keepRatio == ratio {
                let d = comparison.difference
                let points = String(format: "%+.1f points", 100 * d.mean)
                let interval = d.low.map { low in String(format: " (95%% CI %+.1f to %+.1f)", 100 * low, 100 * (d.high ?? low)) } ?? ""
                let significant = comparison.pValueHolm < alpha
                let verdict = significant
                    ? "significant (McNemar, Holm-adjusted \(ReportFormat.pStatement(comparison.pValueHolm)))"
                    : "not significant (McNemar, Holm-adjusted \(ReportFormat.pStatement(comparison.pValueHolm)))"
                let wilcoxon = analysis.comparison(comparison.a, comparison.b, ratio, .wilcoxon)
                let agreement = wilcoxon.map { w in
                    (w.pValueHolm < alpha) == significant ? "; the Wilcoxon test over task × seed blocks agrees"
                        : "; the Wilcoxon test over task × seed blocks does not (Holm \(ReportFormat.pStatement(w.pValueHolm)))"
                } ?? ""
                lines.append("At \(budget), \(comparison.a) vs \(comparison.b): \(points)\(interval), \(verdict)\(agreement).")
            }
            for method in analysis.testedMethods {
                guard let row = analysis.row(method.label, ratio), let bound = row.retentionLow else { continue }
                let supported = bound >= claimedRetention
                lines.append("At \(budget), \(method.label) retains \(ReportFormat.percent(row.retention))% of the unpruned accuracy "
                             + "(95% lower bound \(ReportFormat.percent(bound))%): \"retains ≥ \(ReportFormat.percent(claimedRetention))%\" is "
                             + (supported ? "supported." : "not supported."))
            }
            if let rank = analysis.rankTests.first(where: { $0.keepRatio == ratio }) {
                if let friedman = rank.friedman {
                    let best = zip(rank.methods, rank.meanRanks).min { $0.1 < $1.1 }!
                    lines.append("At \(budget), the Friedman test over \(rank.methods.count) methods and \(rank.blocks) task × seed blocks "
                                 + "gives \(ReportFormat.pStatement(friedman.pValue)) (Iman–Davenport \(ReportFormat.pStatement(friedman.imanDavenportPValue))); "
                                 + "\(best.0) has the best mean rank (\(ReportFormat.number(best.1))), Nemenyi CD = \(ReportFormat.number(friedman.criticalDifference)).")
                } else if let failure = rank.failure {
                    lines.append("At \(budget), the Friedman test could not be computed: \(failure).")
                }
            }
        }
        return lines
    }
}
