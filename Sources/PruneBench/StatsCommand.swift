import ArgumentParser
import Comparison
import Foundation
import Statistics

/// `prune-bench stats <test> --input FILE.csv`: one statistical procedure on a CSV file.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Run one statistical test on a CSV file (header row; paired differences are first − second).",
        discussion: """
            Paired tests use two columns (the first two, or --columns a,b); friedman uses every numeric \
            column (methods) over rows (blocks); holm and bh adjust one column of p-values; bootstrap-ci \
            takes one column (mean) or two (mean paired difference), optionally --strata COLUMN.
            """)

    enum TestName: String, CaseIterable, ExpressibleByArgument {
        case ttestPaired = "ttest-paired", wilcoxon, mcnemar, sign, permutation, friedman, holm, bh
        case bootstrapCI = "bootstrap-ci"
    }

    @Argument(help: "The test: \(TestName.allCases.map(\.rawValue).joined(separator: ", ")).")
    var test: TestName

    @Option(help: "The CSV file (a header row, then one row per item or block).")
    var input: String

    @Option(help: "Comma-separated column names to use instead of the defaults.")
    var columns: String?

    @Option(help: "two-sided, less or greater (for the first column minus the second).")
    var alternative: Alternative = .twoSided

    @Flag(help: "Continuity correction (wilcoxon approx, mcnemar chi-square).")
    var correction = false

    @Option(help: "wilcoxon: exact|approx (default: exact for n ≤ 50 without ties or zeros); permutation: exact|approx (Monte Carlo; default exact for n ≤ 20); mcnemar: exact|approx (default exact); bootstrap-ci: percentile|bca (default bca).")
    var method: String?

    @Option(help: "wilcoxon: how zero differences are handled, wilcox or pratt.")
    var zeroMethod: WilcoxonSignedRank.ZeroMethod = .wilcox

    @Flag(help: "friedman: report Friedman's χ² without the tie correction (Demšar 2006).")
    var noTieCorrection = false

    @Option(help: "friedman: significance level of the Nemenyi critical difference.")
    var alpha: Double = 0.05

    @Option(help: "bootstrap-ci / permutation (n > 20): number of resamples.")
    var resamples: Int = 10_000

    @Option(help: "Run seed of the random streams (bootstrap-ci, permutation).")
    var seed: UInt64 = 0

    @Option(help: "Confidence level of intervals.")
    var confidence: Double = 0.95

    @Option(help: "bootstrap-ci: resample within the groups of this column (e.g. task).")
    var strata: String?

    @Flag(help: "Print one JSON object on stdout instead of a table.")
    var json = false

    func validate() throws {
        guard confidence > 0 && confidence < 1 else { throw ValidationError("--confidence must be in (0, 1), got \(confidence)") }
        guard alpha > 0 && alpha < 1 else { throw ValidationError("--alpha must be in (0, 1), got \(alpha)") }
        guard resamples >= 2 else { throw ValidationError("--resamples must be at least 2, got \(resamples)") }
        if strata != nil && test != .bootstrapCI { throw ValidationError("--strata applies to bootstrap-ci only") }
        if let method, !allowedMethods.contains(method) {
            throw ValidationError(allowedMethods.isEmpty
                ? "--method does not apply to \(test.rawValue)"
                : "--method for \(test.rawValue) must be one of \(allowedMethods.joined(separator: ", ")), got '\(method)'")
        }
    }

    private var allowedMethods: [String] {
        switch test {
        case .wilcoxon, .mcnemar, .permutation: return ["exact", "approx"]
        case .bootstrapCI: return ["percentile", "bca"]
        default: return []
        }
    }

    func run() throws {
        let table = try readTable()
        let result = try StatsRunner(options: self, table: table).run()
        if json {
            print(JSONValue.object(result).text)
        } else {
            let width = result.map(\.0.count).max() ?? 0
            for (key, value) in result {
                print(key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value.plain)
            }
        }
    }

    private func readTable() throws -> CSVTable {
        guard FileManager.default.fileExists(atPath: input) else {
            throw ValidationError("input file '\(input)' does not exist")
        }
        guard let data = FileManager.default.contents(atPath: input) else {
            throw ValidationError("input file '\(input)' cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ValidationError("input file '\(input)' is not UTF-8 text")
        }
        return try CSVTable(parsing: text, source: input)
    }
}

extension Alternative: ExpressibleByArgument {}
extension WilcoxonSignedRank.ZeroMethod: ExpressibleByArgument {}

extension JSONValue {
    /// The value as a table cell.
    var plain: String {
        switch self {
        case .string(let value): return value
        case .number(let value): return value.isFinite ? String(format: "%.6g", value) : "\(value)"
        case .array(let values): return values.map(\.plain).joined(separator: ", ")
        default: return text
        }
    }
}
