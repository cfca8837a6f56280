import Foundation

/// `cd.svg`: a Demšar critical-difference diagram per budget: methods at their mean Friedman rank
/// (1 = best, on the left), the Nemenyi CD as a bar, and methods whose ranks differ by less than the CD
/// joined by a thick line (not significantly different).
enum CriticalDifferencePlot {
    static func make(_ analysis: ComparisonAnalysis) -> String {
        let width = 760.0, left = 150.0, right = 150.0
        let panels = analysis.rankTests
        let panelHeights = panels.map { 110 + Double(($0.methods.count + 1) / 2) * 20 }
        var svg = SVGDocument(width: width, height: 40 + panelHeights.reduce(0, +))
        svg.text(width / 2, 24, "Critical difference diagrams (Friedman, Nemenyi α = \(ReportFormat.number(analysis.alpha)))",
                 size: 15, anchor: .middle, bold: true)
        var top = 50.0
        for (panel, test) in zip(panelHeights, panels) {
            defer { top += panel }
            let budget = "keep \(ReportFormat.fraction(test.keepRatio)) (\(analysis.plan.budget(test.keepRatio)) tokens)"
            guard let friedman = test.friedman else {
                svg.text(left, top + 30, "\(budget): not computed (\(test.failure ?? "too few methods"))", size: 12)
                continue
            }
            let k = test.methods.count
            func x(_ rank: Double) -> Double { left + (rank - 1) / Double(max(k - 1, 1)) * (width - left - right) }
            let axis = top + 40
            svg.text(20, top + 4, budget + String(format: " — Friedman p = %@, CD = %.2f", ReportFormat.pValue(friedman.pValue),
                                                  friedman.criticalDifference), size: 12, bold: true)
            svg.line(x(1), axis, x(Double(k)), axis, width: 1.2)
            for rank in 1...k {
                svg.line(x(Double(rank)), axis - 5, x(Double(rank)), axis, width: 1)
                svg.text(x(Double(rank)), axis - 9, "\(rank)", size: 10, anchor: .middle)
            }
            // The CD bar, drawn from rank 1.
            let cd = friedman.criticalDifference
            if cd.isFinite && cd < Double(k) {
                svg.line(x(1), top + 16, x(1 + cd), top + 16, stroke: "#b00", width: 2)
                svg.text(x(1 + cd) + 6, top + 20, "CD", size: 10, fill: "#b00")
            }
            let order = zip(test.methods, test.meanRanks).sorted { $0.1 < $1.1 }
            let half = (order.count + 1) / 2
            for (index, (method, rank)) in order.enumerated() {
                let onLeft = index < half
                let row = onLeft ? index : order.count - 1 - index
                let labelY = axis + 30 + Double(row) * 18
                let end = onLeft ? left - 10 : width - right + 10
                svg.line(x(rank), axis, x(rank), labelY, width: 0.8)
                svg.line(x(rank), labelY, end, labelY, width: 0.8)
                svg.text(onLeft ? end - 4 : end + 4, labelY + 4, "\(method) (\(ReportFormat.number(rank)))", size: 11,
                         anchor: onLeft ? .end : .start)
            }
            // Cliques: maximal runs of methods (in rank order) spanning less than the CD.
            var cliques: [(Double, Double)] = []
            for start in order.indices {
                var end = start
                while end + 1 < order.count && order[end + 1].1 - order[start].1 < cd { end += 1 }
                if end > start && !cliques.contains(where: { $0.0 <= order[start].1 && $0.1 >= order[end].1 }) {
                    cliques.append((order[start].1, order[end].1))
                }
            }
            for (index, clique) in cliques.enumerated() {
                let cy = axis + 12 + Double(index % 3) * 5
                svg.line(x(clique.0) - 3, cy, x(clique.1) + 3, cy, width: 3.5)
            }
        }
        return svg.text
    }
}
