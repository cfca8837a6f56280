import Foundation

/// Number formats shared by every report file, so the same figure reads the same everywhere.
enum ReportFormat {
    /// `0.8734` → `87.3`.
    static func percent(_ value: Double?, digits: Int = 1) -> String {
        guard let value, value.isFinite else { return "–" }
        return String(format: "%.\(digits)f", 100 * value)
    }

    static func number(_ value: Double?, digits: Int = 2) -> String {
        guard let value, value.isFinite else { return "–" }
        return String(format: "%.\(digits)f", value)
    }

    /// p-values: three decimals, scientific below 0.001, and a bound where a Double underflows to 0.
    static func pValue(_ value: Double) -> String {
        if value < Double.leastNormalMagnitude { return "< 1e-300" }
        return value < 0.001 ? String(format: "%.1e", value) : String(format: "%.3f", value)
    }

    /// `p = 0.012`, or `p < 1e-300` where the p-value underflowed.
    static func pStatement(_ value: Double) -> String {
        let text = pValue(value)
        return text.hasPrefix("<") ? "p \(text)" : "p = \(text)"
    }

    /// A keep ratio as the simple fraction it approximates (`0.111` → `1/9`), else as a decimal.
    static func fraction(_ ratio: Double) -> String {
        if ratio >= 1 { return "1" }
        for denominator in 2...20 {
            let numerator = (ratio * Double(denominator)).rounded()
            if numerator >= 1, abs(numerator / Double(denominator) - ratio) < 0.0015 {
                return "\(Int(numerator))/\(denominator)"
            }
        }
        return String(format: "%.3f", ratio)
    }

    /// `1/9 (16 tokens)`.
    static func budget(_ row: ComparisonAnalysis.Row) -> String {
        "\(fraction(row.keepRatio)) (\(row.keepTokens) tokens)"
    }

    /// Accuracy with its CI, e.g. `87.3 [86.5, 88.0]`.
    static func accuracy(_ estimate: ComparisonAnalysis.Estimate) -> String {
        guard let low = estimate.low, let high = estimate.high else { return percent(estimate.mean) }
        return "\(percent(estimate.mean)) [\(percent(low)), \(percent(high))]"
    }
}
