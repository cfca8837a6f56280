/// Writes every report file of a finished run into its directory (`summary.json`, `report.md`,
/// `results.csv`, `report.tex`, `pareto.svg`, `cd.svg`, `index.html`), from the raw results alone.
public enum ReportWriter {
    /// Builds the analysis of the complete run in `directory` and writes the report files; returns it.
    @discardableResult
    public static func write(_ directory: RunDirectory) throws -> ComparisonAnalysis {
        let plan = try directory.readPlan()
        let results = try directory.results(of: plan)
        let analysis = try ComparisonAnalysis(plan: plan, manifest: try directory.readManifest(), results: results)
        try directory.writeFile("summary.json", SummaryJSON.make(analysis).pretty() + "\n")
        try directory.writeFile("report.md", MarkdownReport.make(analysis))
        try directory.writeFile("results.csv", ResultsCSV.make(analysis, results: results))
        try directory.writeFile("report.tex", LaTeXReport.make(analysis))
        try directory.writeFile("pareto.svg", ParetoPlot.make(analysis))
        try directory.writeFile("cd.svg", CriticalDifferencePlot.make(analysis))
        try directory.writeFile("index.html", HTMLIndex.make(analysis))
        return analysis
    }

    /// The headline table in Markdown (what the README shows).
    public static func headline(_ analysis: ComparisonAnalysis) -> String { MarkdownReport.headlineTable(analysis) }
}
