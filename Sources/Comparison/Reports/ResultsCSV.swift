import Foundation
import SyntheticVQA

/// `results.csv`: one tidy row per run unit and task family.
enum ResultsCSV {
    static func make(_ analysis: ComparisonAnalysis, results: [ComparisonUnit: UnitResult]) -> String {
        var lines = ["method,keep_ratio,keep_tokens,seed,task,items,accuracy,recall,prefill_ms,pruner_ms,flops"]
        let n = analysis.plan.itemsPerFamily
        for unit in analysis.plan.units {
            let result = results[unit]!
            let outcomes = result.outcomes
            for (index, family) in TaskFamily.allCases.enumerated() {
                let accuracy = outcomes[(index * n)..<((index + 1) * n)].reduce(0, +) / Double(n)
                let recall = result.recall[index]
                let fields: [String] = [
                    unit.method, "\(unit.keepRatio)", "\(result.keepTokens)", "\(unit.seed)", family.rawValue, "\(n)",
                    String(format: "%.6f", accuracy),
                    unit.isUnpruned || recall.items == 0 ? "" : String(format: "%.6f", recall.sum / Double(recall.items)),
                    String(format: "%.4f", result.timing.prefillMilliseconds), String(format: "%.5f", result.timing.prunerMilliseconds),
                    String(format: "%.0f", result.flops),
                ]
                lines.append(fields.joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
