import Foundation
import XCTest

/// End-to-end tests of `prune-bench bench prefill` and `bench pruners` on the built-in model: the JSON
/// reports' fields agree with each other, and bad input is an error naming what is wrong.
final class BenchCommandTests: XCTestCase {
    private func json(_ arguments: [String]) throws -> [String: Any] {
        let result = try PruneBenchProcess.run(arguments)
        XCTAssertEqual(result.status, 0, result.stderr)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    func testPrefillReportsSpeedupAgainstFLOPs() throws {
        // One timed round: each speedup is the ratio of that round's two times (with more, the median of such ratios).
        let report = try json(["bench", "prefill", "--tokens", "16,48", "--repeats", "1", "--warmup", "1", "--threads", "2", "--json"])
        let results = try XCTUnwrap(report["results"] as? [[String: Any]])
        XCTAssertEqual(results.compactMap { $0["tokens"] as? Int }, [16, 48, 144])  // the unpruned count is always timed
        let full = try XCTUnwrap(results.last)
        for row in results {
            let ms = try XCTUnwrap(row["median_ms"] as? Double), flops = try XCTUnwrap(row["flops"] as? Double)
            let speedup = try XCTUnwrap(row["speedup"] as? Double), flopSpeedup = try XCTUnwrap(row["flops_speedup"] as? Double)
            XCTAssertGreaterThan(ms, 0)
            XCTAssertEqual(speedup, (full["median_ms"] as! Double) / ms, accuracy: 1e-9)
            XCTAssertEqual(flopSpeedup, (full["flops"] as! Double) / flops, accuracy: 1e-9)
            XCTAssertEqual(try XCTUnwrap(row["speedup_efficiency"] as? Double), speedup / flopSpeedup, accuracy: 1e-9)
            XCTAssertEqual(row["fresh_bytes"] as? Int, 0, "a steady-state prefill allocates nothing new")
        }
        XCTAssertGreaterThan(try XCTUnwrap(results.first?["flops_speedup"] as? Double), 5)
        let exposure = try XCTUnwrap(report["attention_exposure"] as? [String: Any])
        let exposing = try XCTUnwrap(exposure["median_ms"] as? Double), fullMs = try XCTUnwrap(full["median_ms"] as? Double)
        XCTAssertEqual(try XCTUnwrap(exposure["extra_ms"] as? Double), exposing - fullMs, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(exposure["share"] as? Double), exposing / fullMs - 1, accuracy: 1e-9)
    }

    func testStagesReportEveryStageOfTheStack() throws {
        let report = try json(["bench", "prefill", "--synthetic", "--stages", "--tokens", "21", "--repeats", "2", "--warmup", "1", "--json"])
        let results = try XCTUnwrap(report["results"] as? [[String: Any]])
        XCTAssertEqual(results.compactMap { $0["tokens"] as? Int }, [21])
        let stages = try XCTUnwrap(results[0]["stages_ms"] as? [String: Double])
        XCTAssertEqual(Set(stages.keys), ["layer norms", "query, key, value", "attention", "output projection + residual",
                                          "MLP first product + GELU", "MLP second product + residual"])
        XCTAssertTrue(stages.values.allSatisfy { $0 > 0 && $0.isFinite })
        XCTAssertGreaterThan(try XCTUnwrap(results[0]["median_ms"] as? Double), 0)
    }

    func testPrunersReportTheirShareOfThePairedPrefill() throws {
        let report = try json(["bench", "pruners", "--methods", "random,topk,diffprune,attention-norm", "--keep-ratios", "0.111",
                               "--items", "1", "--repeats", "1", "--warmup", "1", "--threads", "2", "--json"])
        let rows = try XCTUnwrap(report["rows"] as? [[String: Any]])
        XCTAssertEqual(rows.compactMap { $0["method"] as? String }, ["random", "topk", "diffprune", "attention-norm"])
        for row in rows {
            XCTAssertEqual(row["tokens"] as? Int, 16)
            let pruner = try XCTUnwrap(row["pruner_ms"] as? Double), reference = try XCTUnwrap(row["reference_prefill_ms"] as? Double)
            XCTAssertGreaterThan(pruner, 0)
            XCTAssertGreaterThan(reference, pruner)
            // One item, one timed pair: the share is that pair's ratio (with more, the median of such ratios).
            XCTAssertEqual(try XCTUnwrap(row["share"] as? Double), pruner / reference, accuracy: 1e-12)
        }
    }

    func testBadInputIsAClearError() throws {
        let cases: [([String], String)] = [
            (["bench", "pruners", "--methods", "random,nonsense", "--items", "1"], "nonsense"),
            (["bench", "pruners", "--keep-ratios", "0.5,2"], "'2'"),
            (["bench", "pruners", "--items", "0"], "--items"),
            (["bench", "prefill", "--tokens", "16,999"], "999"),
            (["bench", "pruners", "--methods", "random,,topk"], "--methods"),
            (["bench", "prefill", "--stages"], "--synthetic"),
        ]
        for (arguments, message) in cases {
            let result = try PruneBenchProcess.run(arguments)
            XCTAssertNotEqual(result.status, 0, "\(arguments)")
            XCTAssertTrue(result.stderr.contains(message), "\(arguments): expected '\(message)' in \(result.stderr)")
        }
    }
}
