import Autograd
import Foundation
import Statistics
import SyntheticVQA

/// Everything a report shows, computed from a finished run's raw results: one row per (method, budget),
/// the paired significance tests with Holm-adjusted p-values, and a Friedman test per budget.
public struct ComparisonAnalysis: Sendable {
    /// A mean with a confidence interval.
    public struct Estimate: Sendable, Equatable {
        public var mean: Double
        public var low: Double?
        public var high: Double?
    }

    public struct Row: Sendable {
        public var method: String
        public var keepRatio: Double
        public var keepTokens: Int
        /// Mean over seeds of the accuracy averaged over task families, with a 95% stratified bootstrap CI.
        public var accuracy: Estimate
        /// Accuracy per task family (`TaskFamily.allCases` order), mean over seeds.
        public var perTask: [Double]
        /// Accuracy relative to the unpruned model, and its one-sided 95% lower confidence bound.
        public var retention: Double
        public var retentionLow: Double?
        /// Mean share of the ground-truth relevant patches among the kept tokens (nil for the unpruned model).
        public var recall: Double?
        public var prefillMilliseconds: Double
        /// The unpruned prefill timed alternately with this row's, on the same items (its own for the
        /// unpruned row).
        public var unprunedPrefillMilliseconds: Double
        /// Median over the seeds of each unit's paired speedup (`UnitResult.Timing.speedup`).
        public var speedup: Double
        public var flops: Double
        public var flopsSpeedup: Double
        /// Measured speedup over FLOP speedup: 1 when fewer tokens save exactly their share of time.
        public var speedupEfficiency: Double
        public var prunerMilliseconds: Double
        /// Pruner time as a share of the unpruned prefill, paired like `speedup`.
        public var prunerShare: Double
        /// Visual tokens a before-LLM pruner would keep for the same FLOPs (differs from `keepTokens`
        /// for in-LLM pruning).
        public var equivalentTokens: Double
        public var seeds: Int
        public var isReference: Bool
    }

    /// The paired tests of a comparison.
    public enum Test: String, Sendable {
        /// McNemar's exact test on per-item correctness, pooled over seeds or of one seed.
        case mcnemarExact = "mcnemar_exact"
        /// The Wilcoxon signed-rank test over task × seed blocks of accuracy.
        case wilcoxon
    }

    public struct Comparison: Sendable {
        public var a: String
        public var b: String
        public var keepRatio: Double
        public var test: Test
        public var seed: UInt64?
        public var pValue: Double
        /// Holm-adjusted within its family: the comparisons of the same budget that use the same test
        /// (pooled and per-seed McNemar tests are separate families).
        public var pValueHolm: Double
        /// Accuracy of a minus b, with a 95% paired bootstrap CI stratified by task family.
        public var difference: Estimate
        public var note: String?
    }

    /// The Friedman test (blocks = task family × seed) over the methods of one budget.
    public struct RankTest: Sendable {
        public var keepRatio: Double
        public var methods: [String]
        public var meanRanks: [Double]
        public var blocks: Int
        public var friedman: FriedmanTest?
        /// Why the test could not be computed, if it could not.
        public var failure: String?
    }

    public let plan: ComparisonPlan
    public let manifest: RunManifest
    public let rows: [Row]
    public let comparisons: [Comparison]
    public let rankTests: [RankTest]
    /// The machines the units were timed on, each once, in the plan's order: more than one when shards ran
    /// on different machines (or a run resumed on another), and then the rows' times compare across
    /// machines (each unit's speedup and pruner share stay paired with the unpruned prefill on its own).
    public let timingMachines: [String]
    /// Significance level of every statement in words.
    public let alpha = 0.05

    /// Analyses a complete run; missing units are an error.
    public init(plan: ComparisonPlan, manifest: RunManifest, results: [ComparisonUnit: UnitResult]) throws {
        let missing = plan.units.filter { results[$0] == nil }.count
        guard missing == 0 else { throw ComparisonError.incomplete(missing: missing, total: plan.units.count) }
        self.plan = plan
        self.manifest = manifest
        let unpruned = results[plan.units[0]]!
        var rows = [try Self.row(MethodSpec.unprunedLabel, 1, runs: [unpruned], unpruned: unpruned, plan: plan, isReference: false)]
        for ratio in plan.keepRatios {
            for method in plan.methods {
                rows.append(try Self.row(method.label, ratio, runs: Self.runs(method, ratio, plan: plan, results: results),
                                         unpruned: unpruned, plan: plan, isReference: method.isReference))
            }
        }
        self.rows = rows
        self.comparisons = try Self.comparisons(plan: plan, results: results)
        self.rankTests = Self.rankTests(plan: plan, results: results)
        self.timingMachines = plan.units.map { results[$0]!.timing.machine }.filter { !$0.isEmpty }
            .reduce(into: []) { machines, machine in if !machines.contains(machine) { machines.append(machine) } }
    }

    /// Where the times were taken, for a report's header: the machine, or how many and which.
    public var timingDescription: String {
        timingMachines.count > 1
            ? "timed on \(timingMachines.count) machines (\(timingMachines.joined(separator: "; ")))"
            : timingMachines.first ?? manifest.machine
    }

    public func row(_ method: String, _ ratio: Double) -> Row? {
        rows.first { $0.method == method && $0.keepRatio == ratio }
    }

    public var unprunedRow: Row { rows[0] }

    /// The comparison of `a` with `b` at `ratio` by `test` (pooled over seeds for McNemar).
    public func comparison(_ a: String, _ b: String, _ ratio: Double, _ test: Test) -> Comparison? {
        comparisons.first { $0.a == a && $0.b == b && $0.keepRatio == ratio && $0.test == test && $0.seed == nil }
    }

    /// The pooled McNemar comparisons, in order: the headline significance results.
    public var pooledComparisons: [Comparison] { comparisons.filter { $0.test == .mcnemarExact && $0.seed == nil } }

    /// Methods tested for significance (every method but references such as the oracle).
    public var testedMethods: [MethodSpec] { plan.methods.filter { !$0.isReference } }

    // MARK: Rows

    static func runs(_ method: MethodSpec, _ ratio: Double, plan: ComparisonPlan,
                     results: [ComparisonUnit: UnitResult]) -> [UnitResult] {
        (method.usesSeed ? plan.seeds : [plan.seeds[0]]).map {
            results[ComparisonUnit(method: method.label, keepRatio: ratio, seed: $0)]!
        }
    }

    /// Each item's task family, in plan order: the bootstrap's strata.
    static func familyLabels(_ plan: ComparisonPlan) -> [Int] {
        TaskFamily.allCases.indices.flatMap { [Int](repeating: $0, count: plan.itemsPerFamily) }
    }

    /// Per item, the mean of its outcomes over several runs (seeds).
    static func itemMeans(_ runs: [[Double]]) -> [Double] {
        (0..<runs[0].count).map { item in runs.reduce(0) { $0 + $1[item] } / Double(runs.count) }
    }

    /// Accuracy per task family of one run's outcomes.
    static func familyAccuracies(_ outcomes: [Double], _ plan: ComparisonPlan) -> [Double] {
        let n = plan.itemsPerFamily
        return TaskFamily.allCases.indices.map { outcomes[($0 * n)..<(($0 + 1) * n)].reduce(0, +) / Double(n) }
    }

    static func row(_ method: String, _ ratio: Double, runs: [UnitResult], unpruned: UnitResult, plan: ComparisonPlan,
                    isReference: Bool) throws -> Row {
        let perSeed = runs.map { familyAccuracies($0.outcomes, plan) }
        let taskMeans = TaskFamily.allCases.indices.map { family in perSeed.map { $0[family] }.reduce(0, +) / Double(runs.count) }
        let accuracy = taskMeans.reduce(0, +) / Double(taskMeans.count)
        // Items are the sampling unit: each item's outcome is averaged over the seeds before resampling.
        let perItem = itemMeans(runs.map(\.outcomes))
        let strata = familyLabels(plan)
        let path = ["report", method, String(ratio)]
        let interval = try? Bootstrap.mean(perItem, strata: strata, method: .percentile, resamples: plan.bootstrapResamples,
                                           path: path + ["accuracy"])
        let unprunedAccuracy = unpruned.outcomes.reduce(0, +) / Double(unpruned.outcomes.count)
        let retentionBound = unprunedAccuracy > 0 ? try? Bootstrap.interval(
            columns: [perItem, unpruned.outcomes], strata: strata, method: .percentile, confidence: 0.90,
            resamples: plan.bootstrapResamples, path: path + ["retention"]) {
                $0[1] > 0 ? $0[0] / $0[1] : 0
            } : nil
        let recallSums = runs.flatMap(\.recall)
        let relevantItems = recallSums.map(\.items).reduce(0, +)
        let prefill = median(runs.map(\.timing.prefillMilliseconds))
        let unprunedPrefill = median(runs.map(\.timing.unprunedPrefillMilliseconds))
        let flops = runs.map(\.flops).reduce(0, +) / Double(runs.count)
        let speedup = median(runs.map(\.timing.speedup)), flopsSpeedup = unpruned.flops / flops
        let pruner = median(runs.map(\.timing.prunerMilliseconds))
        return Row(method: method, keepRatio: ratio, keepTokens: runs[0].keepTokens,
                   accuracy: Estimate(mean: accuracy, low: interval?.low, high: interval?.high), perTask: taskMeans,
                   retention: unprunedAccuracy > 0 ? accuracy / unprunedAccuracy : 0, retentionLow: retentionBound?.low,
                   recall: method == MethodSpec.unprunedLabel || relevantItems == 0
                       ? nil : recallSums.map(\.sum).reduce(0, +) / Double(relevantItems),
                   prefillMilliseconds: prefill, unprunedPrefillMilliseconds: unprunedPrefill, speedup: speedup, flops: flops, flopsSpeedup: flopsSpeedup,
                   speedupEfficiency: speedup / flopsSpeedup, prunerMilliseconds: pruner,
                   prunerShare: median(runs.map(\.timing.prunerShare)),
                   equivalentTokens: equivalentTokens(flops: flops, unpruned: unpruned, plan: plan),
                   seeds: runs.count, isReference: isReference)
    }

    /// Visual tokens K (fractional) for which pruning before the language model costs `flops` (with the
    /// mean question length): the before-LLM FLOPs of neighbouring integer K, interpolated.
    static func equivalentTokens(flops: Double, unpruned: UnitResult, plan: ComparisonPlan) -> Double {
        let layers = unpruned.tokensPerLayer.count
        let question = Int((unpruned.tokensPerLayer[0] - Double(plan.visualTokens)).rounded())
        func cost(_ k: Int) -> Double {
            plan.configuration.prefillFLOPs(tokensPerLayer: [Int](repeating: k + question, count: layers))
        }
        // Scale so that K = N costs exactly the measured unpruned FLOPs (the mean question length is rounded).
        let target = flops / unpruned.flops * cost(plan.visualTokens)
        guard let above = (0...plan.visualTokens).first(where: { cost($0) >= target }) else { return Double(plan.visualTokens) }
        guard above > 0 else { return 0 }
        let low = cost(above - 1), high = cost(above)
        return Double(above - 1) + (target - low) / (high - low)
    }

    // MARK: Paired tests

    /// Outcomes of `label` at `ratio` for `seed` (a seed-independent method's single run for any seed).
    static func outcomes(_ label: String, _ ratio: Double, seed: UInt64, plan: ComparisonPlan,
                         results: [ComparisonUnit: UnitResult]) -> [Double] {
        if label == MethodSpec.unprunedLabel { return results[plan.units[0]]!.outcomes }
        let usesSeed = plan.method(label)!.usesSeed
        return results[ComparisonUnit(method: label, keepRatio: ratio, seed: usesSeed ? seed : plan.seeds[0])]!.outcomes
    }

    static func comparisons(plan: ComparisonPlan, results: [ComparisonUnit: UnitResult]) throws -> [Comparison] {
        let tested = plan.methods.filter { !$0.isReference }
        var comparisons: [Comparison] = []
        for ratio in plan.keepRatios {
            let pairs = tested.filter { $0.label != plan.reference }.map { ($0.label, plan.reference) }
                + tested.map { ($0.label, MethodSpec.unprunedLabel) }
            for (a, b) in pairs {
                let usesSeed = plan.method(a)!.usesSeed || (plan.method(b)?.usesSeed ?? false)
                let seeds = usesSeed ? plan.seeds : [plan.seeds[0]]
                let first = seeds.map { outcomes(a, ratio, seed: $0, plan: plan, results: results) }
                let second = seeds.map { outcomes(b, ratio, seed: $0, plan: plan, results: results) }
                // Resampled by item (outcomes averaged over the seeds), stratified by task family.
                let difference = try? Bootstrap.meanDifference(
                    itemMeans(first), itemMeans(second), strata: familyLabels(plan),
                    method: .percentile, resamples: plan.bootstrapResamples, path: ["report", "difference", a, b, String(ratio)])
                let firstCorrect: Double = first.flatMap { $0 }.reduce(0, +)
                let secondCorrect: Double = second.flatMap { $0 }.reduce(0, +)
                let pairs = Double(seeds.count * first[0].count)
                let estimate = Estimate(mean: (firstCorrect - secondCorrect) / pairs, low: difference?.low, high: difference?.high)
                func add(_ test: Test, seed: UInt64? = nil, _ p: Double, note: String? = nil) {
                    comparisons.append(Comparison(a: a, b: b, keepRatio: ratio, test: test, seed: seed, pValue: p,
                                                  pValueHolm: p, difference: estimate, note: note))
                }
                add(.mcnemarExact, try McNemarTest(first.flatMap { $0 }, second.flatMap { $0 }).pValue)
                if seeds.count > 1 {
                    for (index, seed) in seeds.enumerated() {
                        add(.mcnemarExact, seed: seed, try McNemarTest(first[index], second[index]).pValue)
                    }
                }
                let blocks = zip(first, second).flatMap { x, y in
                    zip(familyAccuracies(x, plan), familyAccuracies(y, plan)).map { $0 - $1 }
                }
                if blocks.allSatisfy({ $0 == 0 }) {
                    add(.wilcoxon, 1, note: "no task × seed block differs")
                } else {
                    add(.wilcoxon, try WilcoxonSignedRank(differences: blocks).pValue)
                }
            }
        }
        // Holm within each family: per budget, the pooled McNemar tests, the per-seed ones, the Wilcoxon tests.
        let families = Dictionary(grouping: comparisons.indices) {
            "\(comparisons[$0].keepRatio) \(comparisons[$0].test) \(comparisons[$0].seed == nil)"
        }
        for indices in families.values {
            let adjusted = try MultipleComparisons.adjust(indices.map { comparisons[$0].pValue }, method: .holm)
            for (index, p) in zip(indices, adjusted) { comparisons[index].pValueHolm = p }
        }
        return comparisons
    }

    // MARK: Rank tests

    static func rankTests(plan: ComparisonPlan, results: [ComparisonUnit: UnitResult]) -> [RankTest] {
        let methods = plan.methods.filter { !$0.isReference }.map(\.label)
        return plan.keepRatios.map { ratio in
            var data: [[Double]] = []
            for seed in plan.seeds {
                let columns = methods.map { familyAccuracies(outcomes($0, ratio, seed: seed, plan: plan, results: results), plan) }
                // Negated so that rank 1 is the most accurate method, as a CD diagram reads.
                for family in TaskFamily.allCases.indices { data.append(columns.map { -$0[family] }) }
            }
            var test = RankTest(keepRatio: ratio, methods: methods, meanRanks: [], blocks: data.count)
            do {
                let friedman = try FriedmanTest(data)
                test.friedman = friedman
                test.meanRanks = friedman.meanRanks
            } catch {
                test.failure = "\(error)"
            }
            return test
        }
    }
}
