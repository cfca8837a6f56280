import Foundation

/// `pareto.svg`: accuracy (with 95% CI bars) against measured prefill speedup, one line per method
/// through its budgets, the unpruned model at speedup 1.
enum ParetoPlot {
    static func make(_ analysis: ComparisonAnalysis) -> String {
        let width = 760.0, height = 500.0
        let left = 70.0, right = 190.0, top = 40.0, bottom = 60.0
        var svg = SVGDocument(width: width, height: height)
        let rows = analysis.rows
        let speedups = rows.map(\.speedup).filter(\.isFinite)
        let lows = rows.map { $0.accuracy.low ?? $0.accuracy.mean }, highs = rows.map { $0.accuracy.high ?? $0.accuracy.mean }
        let xRange = (0.0, max(1.2, (speedups.max() ?? 1) * 1.08))
        let yLow = max(0, floor(100 * (lows.min() ?? 0) / 5) * 5 - 5), yHigh = min(100, ceil(100 * (highs.max() ?? 1) / 5) * 5 + 2)
        func x(_ v: Double) -> Double { left + (v - xRange.0) / (xRange.1 - xRange.0) * (width - left - right) }
        func y(_ v: Double) -> Double { top + (1 - (100 * v - yLow) / (yHigh - yLow)) * (height - top - bottom) }

        svg.text(width / 2 - (right - left) / 2, 24, "Accuracy vs measured prefill speedup (\(analysis.plan.name))", size: 15,
                 anchor: .middle, bold: true)
        for tick in SVGDocument.ticks(xRange.0, xRange.1) {
            svg.line(x(tick), top, x(tick), height - bottom, stroke: "#e5e5e5")
            svg.text(x(tick), height - bottom + 18, String(format: "%g×", tick), size: 11, anchor: .middle)
        }
        for tick in SVGDocument.ticks(yLow, yHigh) {
            svg.line(left, y(tick / 100), width - right, y(tick / 100), stroke: "#e5e5e5")
            svg.text(left - 8, y(tick / 100) + 4, String(format: "%g", tick), size: 11, anchor: .end)
        }
        svg.line(left, height - bottom, width - right, height - bottom)
        svg.line(left, top, left, height - bottom)
        svg.text((left + width - right) / 2, height - 18, "prefill speedup over the unpruned model (measured)", size: 13, anchor: .middle)
        svg.text(20, (top + height - bottom) / 2, "accuracy (%), mean over task families", size: 13, anchor: .middle, rotate: -90)

        let unpruned = analysis.unprunedRow
        svg.line(left, y(unpruned.accuracy.mean), width - right, y(unpruned.accuracy.mean), stroke: "#444", dash: "5,4")
        var legend: [(String, String)] = [("unpruned", "#000")]
        for (index, method) in analysis.plan.methods.enumerated() {
            let colour = SVGDocument.palette[index % SVGDocument.palette.count]
            let points = rows.filter { $0.method == method.label }.sorted { $0.speedup < $1.speedup }
            svg.polyline(points.map { (x($0.speedup), y($0.accuracy.mean)) }, stroke: colour)
            for row in points {
                if let low = row.accuracy.low, let high = row.accuracy.high {
                    svg.line(x(row.speedup), y(low), x(row.speedup), y(high), stroke: colour, width: 1.5)
                    svg.line(x(row.speedup) - 4, y(low), x(row.speedup) + 4, y(low), stroke: colour, width: 1.5)
                    svg.line(x(row.speedup) - 4, y(high), x(row.speedup) + 4, y(high), stroke: colour, width: 1.5)
                }
                svg.circle(x(row.speedup), y(row.accuracy.mean), radius: 4.5, fill: colour,
                           title: "\(row.method) at \(ReportFormat.budget(row)): \(ReportFormat.accuracy(row.accuracy))%, \(ReportFormat.number(row.speedup))×")
                svg.text(x(row.speedup) + 6, y(row.accuracy.mean) - 6, ReportFormat.fraction(row.keepRatio), size: 9, fill: colour)
            }
            legend.append((method.label + (method.isReference ? " (reference)" : ""), colour))
        }
        svg.circle(x(unpruned.speedup), y(unpruned.accuracy.mean), radius: 5.5, fill: "#000",
                   title: "unpruned: \(ReportFormat.accuracy(unpruned.accuracy))%")
        for (index, entry) in legend.enumerated() {
            let ly = top + 10 + Double(index) * 22
            svg.circle(width - right + 24, ly, radius: 5, fill: entry.1)
            svg.text(width - right + 36, ly + 4, entry.0, size: 12)
        }
        svg.text(width - right + 18, top + 10 + Double(legend.count) * 22 + 6, "bars: 95% CI; labels: keep ratio", size: 10)
        return svg.text
    }
}
