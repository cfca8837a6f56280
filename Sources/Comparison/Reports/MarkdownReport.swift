import SyntheticVQA

/// `report.md`: headline table, per-task accuracy, significance in words and tables, what was run.
enum MarkdownReport {
    static func headlineTable(_ analysis: ComparisonAnalysis) -> String {
        var lines = [
            "| method | budget | accuracy % [95% CI] | retention % (lower bound) | prefill ms | speedup | FLOP speedup | speedup / FLOP speedup | pruner ms (% of prefill) | recall % |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for row in analysis.rows {
            let name = row.isReference ? "\(row.method) (reference)" : row.method
            lines.append("| \(name) | \(ReportFormat.budget(row)) | \(ReportFormat.accuracy(row.accuracy)) | "
                         + "\(ReportFormat.percent(row.retention)) (\(ReportFormat.percent(row.retentionLow))) | "
                         + "\(ReportFormat.number(row.prefillMilliseconds)) | \(ReportFormat.number(row.speedup))× | "
                         + "\(ReportFormat.number(row.flopsSpeedup))× | \(ReportFormat.number(row.speedupEfficiency)) | "
                         + "\(ReportFormat.number(row.prunerMilliseconds, digits: 3)) (\(ReportFormat.percent(row.prunerShare, digits: 2))) | "
                         + "\(ReportFormat.percent(row.recall)) |")
        }
        return lines.joined(separator: "\n")
    }

    static func make(_ analysis: ComparisonAnalysis) -> String {
        let plan = analysis.plan, manifest = analysis.manifest
        var out: [String] = []
        out.append("# PruneLab \(plan.kind.rawValue): \(plan.name)\n")
        out.append("Built-in model `\(plan.model)` (\(plan.visualTokens) visual tokens, \(plan.configuration.layers)-layer language model), "
                   + "\(plan.itemsPerFamily) test items per task family × \(TaskFamily.allCases.count) families, "
                   + "seeds \(plan.seeds.map(String.init).joined(separator: ", ")). Commit `\(manifest.commit)`, \(manifest.date), "
                   + "\(analysis.timingDescription), \(manifest.threads) threads.\n")
        out.append("## Headline\n")
        out.append(headlineTable(analysis) + "\n")
        out.append("""
            Accuracy is the mean over task families (and seeds); its CI is a percentile bootstrap stratified by family. \
            Retention is accuracy relative to the unpruned model, with a one-sided 95% lower bound. Prefill is the \
            language model's prefill at batch 1 with the KV cache (median of \(plan.timing.items) items × \(plan.timing.repeats) \
            runs after \(plan.timing.warmup) warm-up runs); speedup = unpruned prefill / pruned prefill, paired: each \
            pruned run is paired with an unpruned run of the same item right before or after it, so that drifts in the \
            machine's speed cancel, and a row's speedup is the median over its seeds of each seed's median over its \
            pairs (the unpruned prefill's median per row is `reference_prefill_ms` in summary.json); the pruner's \
            share of the prefill is paired likewise; FLOP speedup = \
            unpruned FLOPs / pruned FLOPs of the language model (its attention counting the query–key pairs the causal mask leaves, all that the prefill computes; the pruner's own work is not in the FLOPs). Pruner time (scoring, selection) is timed apart from the prefill. Recall is the \
            share of the ground-truth relevant patches among the kept tokens.\n
            """)
        if analysis.timingMachines.count > 1 {
            out.append("The units were timed on \(analysis.timingMachines.count) machines: rows' times compare across machines. "
                       + "Each unit's speedup and pruner share are paired on its own machine; a row whose seeds ran on "
                       + "different machines takes the median over them.\n")
        }
        let inLLM = analysis.rows.filter { abs($0.equivalentTokens - Double($0.keepTokens)) > 0.5 && $0.method != MethodSpec.unprunedLabel }
        if !inLLM.isEmpty {
            out.append("Pruning inside the language model costs more than its budget suggests; equivalent before-LLM token counts: "
                       + inLLM.map { "\($0.method) at \(ReportFormat.fraction($0.keepRatio)): \(ReportFormat.number($0.equivalentTokens, digits: 1))" }
                           .joined(separator: "; ") + ".\n")
        }
        out.append("![accuracy vs speedup](pareto.svg)\n")
        out.append("## Significance\n")
        out.append(Findings.statements(analysis).map { "- " + $0 }.joined(separator: "\n") + "\n")
        out.append("| budget | a | b | a − b (points) [95% CI] | McNemar p (Holm) | Wilcoxon p (Holm) |")
        out.append("|---|---|---|---|---|---|")
        for comparison in analysis.pooledComparisons {
            let wilcoxon = analysis.comparison(comparison.a, comparison.b, comparison.keepRatio, .wilcoxon)
            let d = comparison.difference
            out.append("| \(ReportFormat.fraction(comparison.keepRatio)) | \(comparison.a) | \(comparison.b) | "
                       + "\(ReportFormat.number(100 * d.mean, digits: 1)) [\(ReportFormat.number(d.low.map { 100 * $0 }, digits: 1)), "
                       + "\(ReportFormat.number(d.high.map { 100 * $0 }, digits: 1))] | "
                       + "\(ReportFormat.pValue(comparison.pValue)) (\(ReportFormat.pValue(comparison.pValueHolm))) | "
                       + (wilcoxon.map { "\(ReportFormat.pValue($0.pValue)) (\(ReportFormat.pValue($0.pValueHolm)))" } ?? "–") + " |")
        }
        out.append("\nMcNemar's exact test pools the paired per-item outcomes of all seeds (a seed-independent method's single "
                   + "run is paired with each seed of the other); per-seed McNemar tests are in `summary.json`. The CI of a − b "
                   + "is a paired bootstrap over items (each item's outcome averaged over seeds), stratified by task family. "
                   + "Holm's adjustment runs within each budget over the comparisons that use the same test.\n")
        out.append("![critical difference diagram](cd.svg)\n")
        out.append("## Per task (accuracy %)\n")
        let families = TaskFamily.allCases
        out.append("| method | budget | " + families.map(\.rawValue).joined(separator: " | ") + " |")
        out.append("|---|---|" + families.map { _ in "---|" }.joined())
        for row in analysis.rows {
            out.append("| \(row.method) | \(ReportFormat.fraction(row.keepRatio)) | "
                       + row.perTask.map { ReportFormat.percent($0) }.joined(separator: " | ") + " |")
        }
        out.append("\n## Methods\n")
        for method in plan.methods {
            out.append("- `\(method.label)`: pruner `\(method.pruner)`" + (method.options.isEmpty ? "" : " with `\(method.options)`")
                       + (method.usesSeed ? "" : " (seed-independent: run once)") + (method.isReference ? " — reference, not tested" : ""))
        }
        out.append("\nFiles: `summary.json` (everything above, machine-readable), `results.csv` (per unit and task), "
                   + "`report.tex` (LaTeX tables), `pareto.svg`, `cd.svg`, `index.html`. Rebuild with `prune-bench report DIR`.\n")
        return out.joined(separator: "\n")
    }
}
