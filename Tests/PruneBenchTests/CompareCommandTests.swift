import Autograd
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

/// End-to-end tests of `prune-bench compare`, `ablate`, `merge` and `report` on the built-in model with a
/// small grid: the summary's schema and internal consistency, resuming after a kill, merging shards, and
/// bad input.
final class CompareCommandTests: XCTestCase {
    private var directory: URL!

    /// A small grid of the training-free pruners: 13 units of 60 items each.
    private let grid = ["compare", "--preset", "quick", "--methods", "random,topk,attention-norm,oracle",
                        "--keep-ratios", "0.222,0.111", "--seeds", "2", "--items-per-family", "6", "--threads", "2"]

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("prune-bench-compare-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    @discardableResult
    private func succeed(_ arguments: [String]) throws -> PruneBenchProcess.Result {
        let result = try PruneBenchProcess.run(arguments)
        XCTAssertEqual(result.status, 0, result.stderr)
        return result
    }

    private func summary(_ run: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path(run)).appendingPathComponent("summary.json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// Unit results as written, keyed by file name.
    private func unitResults(_ run: String) throws -> [String: [String: Any]] {
        let folder = URL(fileURLWithPath: path(run)).appendingPathComponent("units")
        var units: [String: [String: Any]] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".json") && !file.hasPrefix(".") {
            units[file] = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent(file))) as? [String: Any])
        }
        return units
    }

    /// Unit results without their timings, keyed by file name.
    private func units(_ run: String) throws -> [String: NSDictionary] {
        try unitResults(run).mapValues { object in
            var object = object
            object["timing"] = nil
            return object as NSDictionary
        }
    }

    func testSummaryHasTheSchemaAndIsConsistent() throws {
        try succeed(grid + ["--out", path("run")])
        for file in ["summary.json", "report.md", "results.csv", "report.tex", "pareto.svg", "cd.svg", "index.html"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: path("run/\(file)")), file)
        }
        for svg in ["pareto.svg", "cd.svg"] {
            let parser = XMLParser(contentsOf: URL(fileURLWithPath: path("run/\(svg)")))!
            XCTAssertTrue(parser.parse(), "\(svg) is not well-formed XML")
        }
        let summary = try summary("run")
        let manifest = try XCTUnwrap(summary["manifest"] as? [String: Any])
        for key in ["seed", "commit", "config", "threads", "date"] { XCTAssertNotNil(manifest[key], key) }
        let rows = try XCTUnwrap(summary["rows"] as? [[String: Any]])
        XCTAssertEqual(rows.count, 1 + 2 * 4)
        // Each row's speedup and pruner share are medians over its units' (its seeds') paired values.
        var paired: [String: [(speedup: Double, share: Double)]] = [:]
        for result in try unitResults("run").values {
            let unit = try XCTUnwrap(result["unit"] as? [String: Any]), timing = try XCTUnwrap(result["timing"] as? [String: Any])
            let key = "\(try XCTUnwrap(unit["method"] as? String))@\(try XCTUnwrap(unit["keepRatio"] as? Double))"
            paired[key, default: []].append((try XCTUnwrap(timing["speedup"] as? Double), try XCTUnwrap(timing["prunerShare"] as? Double)))
        }
        let unpruned = try XCTUnwrap(rows.first { $0["method"] as? String == "unpruned" })
        let unprunedMs = try XCTUnwrap(unpruned["prefill_ms"] as? Double)
        let unprunedFlops = try XCTUnwrap(unpruned["flops"] as? Double)
        for row in rows {
            for key in ["method", "keep_ratio", "keep_tokens", "accuracy", "retention", "prefill_ms", "speedup",
                        "flops_speedup", "pruner_ms"] {
                XCTAssertNotNil(row[key], key)
            }
            let accuracy = try XCTUnwrap(row["accuracy"] as? [String: Any])
            let mean = try XCTUnwrap(accuracy["mean"] as? Double), low = try XCTUnwrap(accuracy["low"] as? Double),
                high = try XCTUnwrap(accuracy["high"] as? Double)
            XCTAssertTrue(low <= mean && mean <= high && low >= 0 && high <= 1, "\(row)")
            let prefill = try XCTUnwrap(row["prefill_ms"] as? Double), flops = try XCTUnwrap(row["flops"] as? Double)
            let reference = try XCTUnwrap(row["reference_prefill_ms"] as? Double)
            XCTAssertGreaterThan(reference, 0)
            XCTAssertGreaterThan(prefill, 0)
            let units = try XCTUnwrap(paired["\(try XCTUnwrap(row["method"] as? String))@\(try XCTUnwrap(row["keep_ratio"] as? Double))"])
            XCTAssertEqual(try XCTUnwrap(row["speedup"] as? Double), median(units.map(\.speedup)), accuracy: 1e-12)
            XCTAssertEqual(try XCTUnwrap(row["pruner_share"] as? Double), median(units.map(\.share)), accuracy: 1e-12)
            if row["method"] as? String == "unpruned" { XCTAssertEqual(reference, unprunedMs) }
            XCTAssertEqual(try XCTUnwrap(row["flops_speedup"] as? Double), unprunedFlops / flops, accuracy: 1e-9)
            let unprunedMean = try XCTUnwrap((unpruned["accuracy"] as? [String: Any])?["mean"] as? Double)
            XCTAssertEqual(try XCTUnwrap(row["retention"] as? Double), mean / unprunedMean, accuracy: 1e-12)
            let ratio = try XCTUnwrap(row["keep_ratio"] as? Double)
            XCTAssertEqual(row["keep_tokens"] as? Int, ratio == 1 ? 144 : Int((ratio * 144).rounded()))
        }
        // Before-LLM pruning saves its full share of FLOPs; pruning inside the LM saves less.
        let topk = try XCTUnwrap(rows.first { $0["method"] as? String == "topk" && $0["keep_ratio"] as? Double == 0.111 })
        let attention = try XCTUnwrap(rows.first { $0["method"] as? String == "attention-norm" && $0["keep_ratio"] as? Double == 0.111 })
        XCTAssertEqual(try XCTUnwrap(topk["equivalent_tokens"] as? Double), 16, accuracy: 0.5)
        XCTAssertGreaterThan(try XCTUnwrap(attention["equivalent_tokens"] as? Double), 16)
        let comparisons = try XCTUnwrap(summary["comparisons"] as? [[String: Any]])
        XCTAssertFalse(comparisons.isEmpty)
        for comparison in comparisons {
            let p = try XCTUnwrap(comparison["pvalue"] as? Double), holm = try XCTUnwrap(comparison["pvalue_holm"] as? Double)
            XCTAssertTrue(p >= 0 && p <= 1 && holm >= p - 1e-15 && holm <= 1, "\(comparison)")
            for key in ["a", "b", "keep_ratio", "test"] { XCTAssertNotNil(comparison[key], key) }
        }
        // The reference method (random: no DiffPrune in this grid) is compared with every other tested method.
        XCTAssertTrue(comparisons.contains { $0["a"] as? String == "topk" && $0["b"] as? String == "random" && $0["test"] as? String == "mcnemar_exact" })
        XCTAssertFalse(comparisons.contains { $0["a"] as? String == "oracle" })
        // No NaN anywhere: JSON has none, and the writer turns non-finite numbers into null; the text files have no "nan".
        for file in ["report.md", "results.csv", "report.tex", "index.html"] {
            XCTAssertFalse(try String(contentsOfFile: path("run/\(file)"), encoding: .utf8).lowercased().contains("nan"), file)
        }
        // `report` rebuilds the same summary from the raw results.
        let before = try self.summary("run")
        try succeed(["report", path("run")])
        XCTAssertEqual(try self.summary("run") as NSDictionary, before as NSDictionary)
    }

    func testKilledRunResumesToTheSameResults() throws {
        try succeed(grid + ["--out", path("whole")])
        let process = Process()
        process.executableURL = PruneBenchProcess.executable
        process.arguments = grid + ["--out", path("killed")]
        process.standardError = FileHandle.nullDevice
        try process.run()
        let unitsFolder = path("killed/units")
        let deadline = Date().addingTimeInterval(120)
        func finished() -> Int {
            ((try? FileManager.default.contentsOfDirectory(atPath: unitsFolder)) ?? []).filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.count
        }
        while finished() < 3 && Date() < deadline {
            usleep(20_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let partial = try units("killed")
        XCTAssertGreaterThanOrEqual(partial.count, 3)
        XCTAssertLessThan(partial.count, 13, "the run finished before it could be killed")
        // Without --resume the directory is refused and left alone.
        let refused = try PruneBenchProcess.run(grid + ["--out", path("killed")])
        XCTAssertEqual(refused.status, 2)
        XCTAssertTrue(refused.stderr.contains("--resume"), refused.stderr)
        try succeed(grid + ["--out", path("killed"), "--resume"])
        try assertSameUnits(try units("killed"), try units("whole"))
        try assertSameNumbers(try summary("killed"), try summary("whole"))
    }

    func testMergedShardsEqualTheUnshardedRun() throws {
        try succeed(grid + ["--out", path("whole")])
        try succeed(grid + ["--out", path("shard1"), "--shard", "1/2"])
        try succeed(grid + ["--out", path("shard2"), "--shard", "2/2"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("shard1/summary.json")), "a shard alone is not a report")
        try succeed(["merge", path("shard1"), path("shard2"), "--out", path("merged")])
        try assertSameUnits(try units("merged"), try units("whole"))
        try assertSameNumbers(try summary("merged"), try summary("whole"))
    }

    private func assertSameUnits(_ a: [String: NSDictionary], _ b: [String: NSDictionary],
                                 file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(Set(a.keys), Set(b.keys), file: file, line: line)
        for (key, unit) in a {
            for (field, value) in unit where b[key]?[field] as? NSObject != value as? NSObject {
                XCTFail("\(key): \(field) differs: \(value) vs \(b[key]?[field] ?? "nothing")", file: file, line: line)
            }
        }
    }

    /// Equal summaries apart from timings and the manifest.
    private func assertSameNumbers(_ a: [String: Any], _ b: [String: Any], file: StaticString = #filePath, line: UInt = #line) throws {
        func strip(_ summary: [String: Any]) -> NSDictionary {
            let timingKeys: Set<String> = ["prefill_ms", "reference_prefill_ms", "speedup", "pruner_ms", "pruner_share", "speedup_efficiency"]
            let rows = (summary["rows"] as! [[String: Any]]).map { $0.filter { !timingKeys.contains($0.key) } }
            return ["rows": rows, "comparisons": summary["comparisons"]!, "rank_tests": summary["rank_tests"]!] as NSDictionary
        }
        XCTAssertEqual(strip(a), strip(b), file: file, line: line)
    }

    func testBadInputIsAClearErrorAndWritesNothing() throws {
        try succeed(grid + ["--out", path("run"), "--shard", "1/4"])
        let before = try units("run")
        let ablation = path("bad.yaml")
        let cases: [([String], String)] = [
            (grid + ["--out", path("x"), "--methods", "random,nonsense"], "nonsense"),
            (grid + ["--out", path("x"), "--keep-ratios", "0.5,1.5"], "1.5"),
            (grid + ["--out", path("x"), "--keep-ratios", "0.111,0.1112"], "repeated"),
            (grid + ["--out", path("x"), "--shard", "3/2"], "3/2"),
            (grid + ["--out", path("run"), "--seeds", "3", "--resume"], "another configuration"),
            (["ablate", "--config", ablation, "--out", path("x")], "variants"),
            (["ablate", "--config", path("missing.yaml"), "--out", path("x")], "cannot read"),
            (["merge", path("run"), path("nothing"), "--out", path("x")], "no run"),
            (["report", path("run")], "have no results yet"),
            (grid + ["--out", path("old"), "--shard", "1/4", "--resume"], "missing field 'speedup' (written by an older prune-bench?"),
        ]
        try "name: broken\nmethod: topk\nvariants: []\n".write(toFile: ablation, atomically: true, encoding: .utf8)
        // A run whose unit files predate a field (here the paired speedup) is refused by name.
        try FileManager.default.copyItem(atPath: path("run"), toPath: path("old"))
        let oldUnits = URL(fileURLWithPath: path("old")).appendingPathComponent("units")
        let stale = try XCTUnwrap(try unitResults("old").keys.sorted().first)
        var object = try XCTUnwrap(try unitResults("old")[stale])
        var timing = try XCTUnwrap(object["timing"] as? [String: Any])
        timing["speedup"] = nil
        object["timing"] = timing
        try JSONSerialization.data(withJSONObject: object).write(to: oldUnits.appendingPathComponent(stale))
        for (arguments, message) in cases {
            let result = try PruneBenchProcess.run(arguments)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(message), "\(arguments): expected '\(message)' in \(result.stderr)")
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("x")))
        XCTAssertEqual(try units("run"), before)
    }

    func testAblationTestsEveryVariantAgainstTheFirst() throws {
        let config = path("ablation.yaml")
        try """
            name: attention-layer
            method: attention-norm
            keep_ratios: [0.111]
            seeds: 1
            items_per_family: 6
            variants:
              - name: layer-2
              - name: layer-1
                options: {layer: 1}
              - name: layer-0-all
                options: "layer=0,queries=all"
            """.write(toFile: config, atomically: true, encoding: .utf8)
        try succeed(["ablate", "--config", config, "--out", path("ablation")])
        let summary = try summary("ablation")
        let config_ = try XCTUnwrap((summary["manifest"] as? [String: Any])?["config"] as? [String: Any])
        XCTAssertEqual(config_["kind"] as? String, "ablation")
        XCTAssertEqual(config_["reference"] as? String, "layer-2")
        let comparisons = try XCTUnwrap(summary["comparisons"] as? [[String: Any]]).filter { $0["test"] as? String == "mcnemar_exact" }
        XCTAssertEqual(Set(comparisons.map { "\($0["a"]!) vs \($0["b"]!)" }),
                       ["layer-1 vs layer-2", "layer-0-all vs layer-2", "layer-2 vs unpruned", "layer-1 vs unpruned", "layer-0-all vs unpruned"])
    }
}
