import Foundation
import XCTest

/// End-to-end tests of `prune-bench stats`: the built binary run on CSV files, checking JSON output
/// and that every kind of bad input exits with code 2 and a one-line message.
final class StatsCommandTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("prune-bench-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func csv(_ text: String) throws -> String {
        let url = directory.appendingPathComponent("\(UUID().uuidString).csv")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    private func json(_ arguments: [String]) throws -> [String: Any] {
        let result = try PruneBenchProcess.run(arguments + ["--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    func testPairedTTestJSON() throws {
        // scipy.stats.ttest_rel([1, 2, 3, 4, 6], [1.5, 1, 2, 3, 4]) → t = 2.25, p = 0.08764517650339462
        let input = try csv("a,b\n1,1.5\n2,1\n3,2\n4,3\n6,4\n")
        let output = try json(["stats", "ttest-paired", "--input", input])
        XCTAssertEqual(output["test"] as? String, "ttest-paired")
        XCTAssertEqual(try XCTUnwrap(output["statistic"] as? Double), 2.25, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(output["pvalue"] as? Double), 0.08764517650339462, accuracy: 1e-12)
        XCTAssertNotNil(output["ci_low"] as? Double)
    }

    func testColumnsAlternativeAndEveryTestRuns() throws {
        let input = try csv("task,x,y,z\nt1,1,0,1\nt2,1,1,0\nt3,0,0,1\nt4,1,0,0\nt5,1,0,1\nt6,0,1,1\n")
        for test in ["ttest-paired", "wilcoxon", "mcnemar", "sign", "permutation"] {
            let output = try json(["stats", test, "--input", input, "--columns", "x,y", "--alternative", "greater"])
            XCTAssertEqual(output["test"] as? String, test)
            let p = try XCTUnwrap(output["pvalue"] as? Double, test)
            XCTAssertTrue(p >= 0 && p <= 1, test)
        }
        let friedman = try json(["stats", "friedman", "--input", input])
        XCTAssertEqual((friedman["mean_ranks"] as? [Double])?.count, 3)
        XCTAssertNotNil(friedman["iman_davenport_f"])
        XCTAssertNotNil(friedman["critical_difference"] as? Double)
        let bootstrap = try json(["stats", "bootstrap-ci", "--input", input, "--columns", "x,y", "--method", "percentile",
                                  "--resamples", "500", "--seed", "3"])
        XCTAssertEqual(bootstrap["resamples"] as? Int, 500)
        XCTAssertEqual(bootstrap["seed"] as? Int, 3)
        let strata = try json(["stats", "bootstrap-ci", "--input", input, "--columns", "x", "--strata", "task", "--resamples", "200"])
        XCTAssertEqual(strata["strata"] as? Int, 6)
    }

    func testHolmAdjustsAColumn() throws {
        let input = try csv("p\n0.01\n0.04\n0.03\n")
        let output = try json(["stats", "holm", "--input", input])
        let adjusted = try XCTUnwrap(output["adjusted"] as? [Double])
        XCTAssertEqual(adjusted[0], 0.03, accuracy: 1e-15)
        XCTAssertEqual(adjusted[1], 0.06, accuracy: 1e-15)
        XCTAssertEqual(adjusted[2], 0.06, accuracy: 1e-15)
    }

    func testTableOutputWithoutJSON() throws {
        let input = try csv("a,b\n1,2\n3,5\n4,4.5\n")
        let result = try PruneBenchProcess.run(["stats", "wilcoxon", "--input", input])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("pvalue"))
    }

    func testBadInputExitsWithCodeTwoAndOneLine() throws {
        let cases: [([String], String)] = [
            (["stats", "ttest-paired", "--input", try csv("a,b\n1,2\nx,3\n")], "'x' is not a finite number"),
            (["stats", "ttest-paired", "--input", try csv("a,b\n1,2\n3\n")], "1 fields, but the header has 2"),
            (["stats", "ttest-paired", "--input", try csv("a,b\n1,2\n3,4\n"), "--columns", "a,c"], "no column named 'c'"),
            (["stats", "ttest-paired", "--input", try csv("a,b\n1,2\n")], "at least 2 pairs"),
            (["stats", "wilcoxon", "--input", try csv("a,b\n1,1\n2,2\n")], "differences are zero"),
            (["stats", "ttest-paired", "--input", try csv("a,b\n1,2\nnan,3\n")], "'nan' is not a finite number"),
            (["stats", "holm", "--input", try csv("p\n0.1\n2\n")], "outside [0, 1]"),
            (["stats", "anova", "--input", try csv("a,b\n1,2\n")], "anova"),
            (["stats", "holm", "--input", try csv("p\n0.1\n"), "--frobnicate"], "frobnicate"),
            (["stats", "holm", "--input", "/nonexistent/file.csv"], "does not exist"),
            (["stats", "bootstrap-ci", "--input", try csv("a\n1\n2\n"), "--method", "exact"], "--method"),
            (["stats", "ttest-paired", "--input", try csv("a,b\n1,2\n2,4\n"), "--alternative", "sideways"], "sideways"),
            (["stats", "friedman", "--input", try csv("a\n1\n2\n")], "at least 2 numeric columns"),
            (["stats", "ttest-paired", "--input", try csv("")], "is empty"),
        ]
        for (arguments, fragment) in cases {
            let result = try PruneBenchProcess.run(arguments)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)")
            let message = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            XCTAssertFalse(message.contains("\n"), "multi-line error for \(arguments): \(message)")
            XCTAssertTrue(message.contains(fragment), "'\(message)' lacks '\(fragment)'")
        }
    }
}

/// Runs the `prune-bench` executable built beside the test bundle.
enum PruneBenchProcess {
    struct Result { let status: Int32; let stdout: String; let stderr: String }

    /// The test runner (`…/release/PruneLabPackageTests.xctest`) and the executable share the build
    /// products directory.
    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("prune-bench")
    }

    static func run(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }
}
