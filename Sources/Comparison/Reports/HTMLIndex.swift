/// `index.html`: the headline table, the two figures and the findings on one page, linking the rest.
enum HTMLIndex {
    static func make(_ analysis: ComparisonAnalysis) -> String {
        func cell(_ text: String) -> String { "<td>\(SVGDocument.escape(text))</td>" }
        let header = ["method", "budget", "accuracy % [95% CI]", "retention % (lower bound)", "prefill ms", "speedup",
                      "FLOP speedup", "pruner ms", "recall %"]
        var rows: [String] = []
        for row in analysis.rows {
            rows.append("<tr>" + [row.method + (row.isReference ? " (reference)" : ""), ReportFormat.budget(row),
                                  ReportFormat.accuracy(row.accuracy),
                                  "\(ReportFormat.percent(row.retention)) (\(ReportFormat.percent(row.retentionLow)))",
                                  ReportFormat.number(row.prefillMilliseconds), ReportFormat.number(row.speedup) + "×",
                                  ReportFormat.number(row.flopsSpeedup) + "×", ReportFormat.number(row.prunerMilliseconds, digits: 3),
                                  ReportFormat.percent(row.recall)].map(cell).joined() + "</tr>")
        }
        let findings = Findings.statements(analysis).map { "<li>\(SVGDocument.escape($0))</li>" }.joined(separator: "\n")
        let title = "PruneLab \(analysis.plan.kind.rawValue): \(analysis.plan.name)"
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(SVGDocument.escape(title))</title>
            <style>body{font-family:Helvetica,Arial,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em}
            table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:right}
            td:first-child,th:first-child{text-align:left}img{max-width:100%}</style></head>
            <body><h1>\(SVGDocument.escape(title))</h1>
            <p>Commit <code>\(SVGDocument.escape(analysis.manifest.commit))</code>, \(SVGDocument.escape(analysis.manifest.date)),
            \(SVGDocument.escape(analysis.timingDescription)), \(analysis.manifest.threads) threads.</p>
            <table><tr>\(header.map { "<th>\(SVGDocument.escape($0))</th>" }.joined())</tr>
            \(rows.joined(separator: "\n"))
            </table>
            <h2>Accuracy vs speed</h2><img src="pareto.svg" alt="accuracy vs measured speedup">
            <h2>Significance</h2><ul>
            \(findings)
            </ul><img src="cd.svg" alt="critical difference diagrams">
            <p>Details: <a href="report.md">report.md</a>, <a href="summary.json">summary.json</a>,
            <a href="results.csv">results.csv</a>, <a href="report.tex">report.tex</a>.</p>
            </body></html>

            """
    }
}
