import Foundation

/// `report.tex`: the headline and significance tables as LaTeX `tabular`s (booktabs) to `\input`.
enum LaTeXReport {
    static func make(_ analysis: ComparisonAnalysis) -> String {
        var out = ["% PruneLab \(analysis.plan.kind.rawValue) '\(analysis.plan.name)', commit \(analysis.manifest.commit)",
                   "% Needs \\usepackage{booktabs}.", "", "% Headline",
                   "\\begin{tabular}{llrrrrr}", "\\toprule",
                   "Method & Budget & Accuracy (\\%) & Retention (\\%) & Prefill (ms) & Speedup & FLOP speedup \\\\", "\\midrule"]
        for row in analysis.rows {
            out.append("\(escape(row.method)) & \(ReportFormat.fraction(row.keepRatio)) (\(row.keepTokens)) & "
                       + "\(ReportFormat.percent(row.accuracy.mean)) {\\scriptsize [\(ReportFormat.percent(row.accuracy.low)), \(ReportFormat.percent(row.accuracy.high))]} & "
                       + "\(ReportFormat.percent(row.retention)) & \(ReportFormat.number(row.prefillMilliseconds)) & "
                       + "\(ReportFormat.number(row.speedup))$\\times$ & \(ReportFormat.number(row.flopsSpeedup))$\\times$ \\\\")
        }
        out += ["\\bottomrule", "\\end{tabular}", "", "% Significance (McNemar exact pooled over seeds; Holm-adjusted)",
                "\\begin{tabular}{lllrrr}", "\\toprule",
                "Budget & A & B & A $-$ B (points) & $p$ & $p_\\mathrm{Holm}$ \\\\", "\\midrule"]
        for c in analysis.pooledComparisons {
            out.append("\(ReportFormat.fraction(c.keepRatio)) & \(escape(c.a)) & \(escape(c.b)) & "
                       + "\(ReportFormat.number(100 * c.difference.mean, digits: 1)) & \(latexNumber(c.pValue)) & \(latexNumber(c.pValueHolm)) \\\\")
        }
        out += ["\\bottomrule", "\\end{tabular}", ""]
        return out.joined(separator: "\n")
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\textbackslash{}").replacingOccurrences(of: "_", with: "\\_")
            .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "&", with: "\\&")
            .replacingOccurrences(of: "#", with: "\\#")
    }

    /// `3.1e-05` → `$3.1\times10^{-5}$`.
    static func latexNumber(_ p: Double) -> String {
        let text = ReportFormat.pValue(p)
        if text.hasPrefix("<") { return "$<10^{-300}$" }
        guard let e = text.firstIndex(of: "e") else { return text }
        let exponent = Int(text[text.index(after: e)...]) ?? 0
        return "$\(text[..<e])\\times10^{\(exponent)}$"
    }
}
