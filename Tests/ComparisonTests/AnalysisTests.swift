import XCTest
@testable import Comparison
import Statistics
import SyntheticVQA
import TinyVLM

/// The analysis on hand-made unit results: which pairs are tested, pooling over seeds, Holm, retention,
/// ranks and FLOP-equivalent tokens, checked against direct computations.
final class AnalysisTests: XCTestCase {
    let itemsPerFamily = 20

    func plan() throws -> ComparisonPlan {
        try ComparisonPlan(kind: .comparison, name: "synthetic",
                           methods: ["random", "topk", "oracle"].map { try MethodSpec(pruner: $0) },
                           keepRatios: [0.111], seeds: [0, 1], itemsPerFamily: itemsPerFamily,
                           timing: .init(items: 1, repeats: 1, warmup: 0), bootstrapResamples: 500, retrain: false,
                           model: "m", configuration: .standard)
    }

    /// A unit whose item i is correct when `correct(i)`, with FLOPs and prefill time for `tokens` visual tokens.
    func result(_ unit: ComparisonUnit, tokens: Int, prefill: Double, pairedSpeedup: Double? = nil,
                pairedShare: Double? = nil, machine: String = "test", correct: (Int) -> Bool) -> UnitResult {
        let n = itemsPerFamily * TaskFamily.allCases.count
        let layers = Array(repeating: tokens + 6, count: 4)
        return UnitResult(unit: unit, keepTokens: tokens, correct: String((0..<n).map { correct($0) ? "1" : "0" }),
                          recall: TaskFamily.allCases.map { _ in .init(sum: 10, items: 20) },
                          flops: TinyVLMConfiguration.standard.prefillFLOPs(tokensPerLayer: layers),
                          tokensPerLayer: layers.map(Double.init),
                          timing: .init(prefillMilliseconds: prefill, prunerMilliseconds: 0.01, unprunedPrefillMilliseconds: 6,
                                        speedup: pairedSpeedup ?? 6 / prefill, prunerShare: pairedShare ?? 0.01 / 6, samples: 1, threads: 1, machine: machine))
    }

    /// The synthetic run; `topkMachine` is where the top-k units were timed (the others: "test").
    func analysis(topkMachine: String = "test") throws -> ComparisonAnalysis {
        let plan = try plan()
        var results: [ComparisonUnit: UnitResult] = [:]
        for unit in plan.units {
            switch unit.method {
            case "unpruned": results[unit] = result(unit, tokens: 144, prefill: 6, correct: { $0 % 10 < 8 })
            case "topk": results[unit] = result(unit, tokens: 16, prefill: 1, machine: topkMachine, correct: { $0 % 10 < 7 })
            case "random": results[unit] = result(unit, tokens: 16, prefill: 1.2, pairedSpeedup: 4 + Double(unit.seed),
                                                  pairedShare: 0.001 * Double(1 + unit.seed), correct: { ($0 + Int(unit.seed)) % 10 < 4 })
            default: results[unit] = result(unit, tokens: 16, prefill: 1, correct: { _ in true })
            }
        }
        return try ComparisonAnalysis(plan: plan, manifest: RunManifest(commit: "c", date: "d", machine: "m", threads: 1), results: results)
    }

    func testRowsAndRetention() throws {
        let analysis = try analysis()
        let topk = try XCTUnwrap(analysis.row("topk", 0.111))
        XCTAssertEqual(topk.accuracy.mean, 0.7, accuracy: 1e-12)
        XCTAssertEqual(topk.retention, 0.7 / 0.8, accuracy: 1e-12)
        XCTAssertEqual(topk.speedup, 6, accuracy: 1e-12)
        XCTAssertEqual(topk.equivalentTokens, 16, accuracy: 1e-6)
        XCTAssertEqual(topk.seeds, 1, "top-k does not use the seed")
        let random = try XCTUnwrap(analysis.row("random", 0.111))
        XCTAssertEqual(random.seeds, 2)
        // A row's speedup and pruner share are the medians of its units' paired values (seeds 0 and 1), not
        // ratios of its median times (5 and 0.01 / 6).
        XCTAssertEqual(analysis.plan.units.filter { $0.method == "random" && $0.keepRatio == 0.111 }.map(\.seed), [0, 1])
        XCTAssertEqual(random.speedup, 4.5, accuracy: 1e-12)
        XCTAssertEqual(random.prunerShare, 0.0015, accuracy: 1e-12)
        let low = try XCTUnwrap(topk.retentionLow)
        XCTAssertLessThan(low, topk.retention)
        XCTAssertGreaterThan(low, 0.7)
        XCTAssertEqual(topk.recall, 0.5)
    }

    func testPairsPoolingAndHolm() throws {
        let analysis = try analysis()
        let pooled = analysis.pooledComparisons
        // The reference is random (no DiffPrune here): topk vs random, and each tested method vs unpruned.
        XCTAssertEqual(pooled.map { "\($0.a)-\($0.b)" }, ["topk-random", "random-unpruned", "topk-unpruned"])
        // topk vs random pools both of random's seeds against top-k's single run.
        let plan = try plan()
        let topk = String(repeating: "1111111000", count: plan.itemsPerFamily).map { $0 == "1" ? 1.0 : 0.0 }
        let random0 = (0..<200).map { $0 % 10 < 4 ? 1.0 : 0.0 }, random1 = (0..<200).map { ($0 + 1) % 10 < 4 ? 1.0 : 0.0 }
        let expected = try McNemarTest(topk + topk, random0 + random1).pValue
        XCTAssertEqual(pooled[0].pValue, expected, accuracy: 1e-15)
        XCTAssertEqual(pooled[0].difference.mean, 0.3, accuracy: 1e-12)
        let holm = try MultipleComparisons.adjust(pooled.map(\.pValue), method: .holm)
        XCTAssertEqual(pooled.map(\.pValueHolm), holm)
        // Per-seed tests only where a seed-dependent method takes part.
        XCTAssertEqual(analysis.comparisons.filter { $0.seed != nil }.count, 2 * 2)
    }

    func testFriedmanRanksTheMostAccurateFirst() throws {
        let rank = try XCTUnwrap(try analysis().rankTests.first)
        XCTAssertEqual(rank.methods, ["random", "topk"])
        XCTAssertEqual(rank.blocks, 20)
        XCTAssertLessThan(rank.meanRanks[1], rank.meanRanks[0], "top-k is more accurate in every block")
    }

    /// Units timed on different machines (shards on several nodes) are named in the report's header and
    /// summary, with a warning that the rows' times compare across machines.
    func testRowsTimedOnSeveralMachinesAreNamed() throws {
        let single = try analysis()
        XCTAssertEqual(single.timingMachines, ["test"])
        XCTAssertEqual(single.timingDescription, "test")
        XCTAssertFalse(MarkdownReport.make(single).contains("machines"))
        let mixed = try analysis(topkMachine: "node-b")
        XCTAssertEqual(mixed.timingMachines, ["test", "node-b"])
        XCTAssertEqual(mixed.timingDescription, "timed on 2 machines (test; node-b)")
        let markdown = MarkdownReport.make(mixed)
        XCTAssertTrue(markdown.contains("timed on 2 machines (test; node-b), 1 threads"))
        XCTAssertTrue(markdown.contains("The units were timed on 2 machines"))
        XCTAssertTrue(HTMLIndex.make(mixed).contains("timed on 2 machines (test; node-b)"))
        guard case .object(let fields) = SummaryJSON.make(mixed), case .object(let manifest)? = fields.first(where: { $0.0 == "manifest" })?.1
        else { return XCTFail("summary.json is not an object with a manifest") }
        XCTAssertEqual(manifest.first { $0.0 == "timing_machines" }?.1.text, JSONValue.array([.string("test"), .string("node-b")]).text)
    }

    func testIncompleteRunsAreRefused() throws {
        let plan = try plan()
        XCTAssertThrowsError(try ComparisonAnalysis(plan: plan, manifest: RunManifest(commit: "", date: "", machine: "", threads: 1), results: [:])) {
            XCTAssertTrue("\($0)".contains("have no results yet"), "\($0)")
        }
    }
}
