/// Adjusted p-values for a family of comparisons, matching
/// `statsmodels.stats.multitest.multipletests(p, method="holm" | "fdr_bh")[1]`.
public enum MultipleComparisons {
    public enum Method: String, Sendable, Codable, CaseIterable {
        /// Holm's step-down family-wise error control (PruneLab's default).
        case holm
        /// Benjamini–Hochberg false-discovery-rate control.
        case benjaminiHochberg = "bh"
    }

    /// Adjusted p-values in the order of `pValues`. A NaN or a value outside [0, 1] is an error.
    public static func adjust(_ pValues: [Double], method: Method = .holm) throws -> [Double] {
        try require(!pValues.isEmpty, "no p-values to adjust")
        for (index, p) in pValues.enumerated() {
            try require(p >= 0 && p <= 1, "p-value \(index + 1) is \(p), outside [0, 1]")
        }
        let m = pValues.count
        let order = pValues.indices.sorted { pValues[$0] < pValues[$1] || (pValues[$0] == pValues[$1] && $0 < $1) }
        var adjusted = [Double](repeating: 0, count: m)
        switch method {
        case .holm:  // running maximum of (m − i)·p_(i), ascending
            var running = 0.0
            for (rank, index) in order.enumerated() {
                running = max(running, Double(m - rank) * pValues[index])
                adjusted[index] = min(1, running)
            }
        case .benjaminiHochberg:  // running minimum of m·p_(i)/i, descending
            var running = Double.infinity
            for (rank, index) in order.enumerated().reversed() {
                running = min(running, Double(m) * pValues[index] / Double(rank + 1))
                adjusted[index] = min(1, running)
            }
        }
        return adjusted
    }
}
