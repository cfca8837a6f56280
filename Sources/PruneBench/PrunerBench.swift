import ArgumentParser
import Autograd
import Comparison
import Foundation
import SyntheticVQA
import TinyVLM
import TokenPruning

/// `bench pruners`: each pruner's own time (scoring and selection) at each budget, as a share of the
/// unpruned prefill timed alternately with it — the comparison's overhead column without its accuracy pass.
struct PrunerBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pruners",
        abstract: "Median time of each pruner's selection, and its share of the unpruned prefill.")

    @Option(help: "Comma-separated pruners (default: every registered one).")
    var methods: String?
    @Option(help: "Comma-separated keep ratios in (0, 1] (learned pruners need trained weights for each).")
    var keepRatios = "0.333,0.222,0.111"
    @Option(help: "Test items timed, spread over the task families.")
    var items = 30
    @Option(help: "Timed runs per item; the median over all items and runs is reported.")
    var repeats = 5
    @Option(help: "Untimed runs per item before timing.")
    var warmup = 5
    @Option(help: "Engine threads (default: all processors).")
    var threads: Int?
    @Flag(help: "Print one JSON object on stdout; human-readable output goes to stderr.")
    var json = false

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1 (got \(threads))") }
        guard items >= 1 else { throw ValidationError("--items must be at least 1 (got \(items))") }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1 (got \(repeats))") }
        guard warmup >= 0 else { throw ValidationError("--warmup must not be negative (got \(warmup))") }
        _ = try KeepRatios.parse(keepRatios, option: "--keep-ratios")
        guard methodNames.map({ !$0.isEmpty && !$0.contains("") }) ?? true else {
            throw ValidationError("--methods: give one or more comma-separated pruner names")
        }
    }

    /// The `--methods` names, nil for every registered pruner.
    private var methodNames: [String]? {
        methods.map { $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } }
    }

    func run() throws {
        if let threads { BLAS.setThreadCount(threads) }
        let model = try BuiltInModel.load()
        let registry = PrunerRegistry.shared
        let names = methodNames ?? registry.names
        let families = TaskFamily.allCases.count
        let evaluator = UnitEvaluator(model: model, suite: TaskSuite(layout: model.configuration.layout, seed: 0),
                                      itemsPerFamily: (items + families - 1) / families)
        let timing = ComparisonPlan.Timing(items: items, repeats: repeats, warmup: warmup)
        // Every pruner is made (and its weights loaded) before any timing, so a bad name fails at once.
        let units = try KeepRatios.parse(keepRatios, option: "--keep-ratios").flatMap { ratio in
            try names.map { name in
                (unit: ComparisonUnit(method: name, keepRatio: ratio, seed: 0),
                 pruner: try registry.make(name, environment: PrunerEnvironment(model: model, keepRatio: ratio, allowTraining: false)))
            }
        }
        let rows = try units.map { unit, pruner in
            let budget = ComparisonPlan.budget(unit.keepRatio, visualTokens: model.configuration.visualTokens)
            let measured = try evaluator.time(unit, pruner: pruner, budget: budget, timing: timing)
            return PrunerBenchReport.Row(method: unit.method, keep_ratio: unit.keepRatio, tokens: budget,
                                         pruner_ms: measured.prunerMilliseconds,
                                         reference_prefill_ms: measured.unprunedPrefillMilliseconds,
                                         share: measured.prunerShare)
        }
        let report = PrunerBenchReport(threads: BLAS.threadCount, items: items,
                                       repeats: repeats, warmup: warmup, rows: rows)
        let lines = rows.map {
            String(format: "  %@ %5.3f (%3d tokens)  pruner %7.4f ms  unpruned prefill %6.3f ms  share %5.2f%%",
                   $0.method.padding(toLength: 16, withPad: " ", startingAt: 0) as NSString, $0.keep_ratio, $0.tokens, $0.pruner_ms, $0.reference_prefill_ms, 100 * $0.share)
        }
        let title = "pruner time (scoring + selection) vs the unpruned prefill timed alternately with it, "
            + "\(BLAS.threadCount) threads, median of \(report.items) items × \(repeats) runs"
        try printReport(report, human: ([title] + lines).joined(separator: "\n"), json: json)
    }
}

/// `bench pruners --json` output: per method and budget, the pruner's median time, the median of the
/// unpruned prefills paired with it, and the median over the pairs of their ratio.
struct PrunerBenchReport: Encodable {
    struct Row: Encodable {
        let method: String, keep_ratio: Double, tokens: Int
        let pruner_ms, reference_prefill_ms, share: Double
    }
    let threads, items, repeats, warmup: Int
    let rows: [Row]
}
