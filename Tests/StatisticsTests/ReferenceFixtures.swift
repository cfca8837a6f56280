import Foundation
import XCTest

/// The scipy/statsmodels reference values made by `scripts/make_stat_fixtures.py`.
struct ReferenceFixtures: Decodable {
    struct TTest: Decodable {
        let name: String, a: [Double], b: [Double], alternative: String, confidence: Double
        let statistic: Double, pvalue: Double, df: Double, ci_low: FixtureNumber, ci_high: FixtureNumber
    }
    struct Wilcoxon: Decodable {
        let name: String, a: [Double], b: [Double]?, zero_method: String, correction: Bool
        let alternative: String, method: String, statistic: Double, pvalue: Double, zstatistic: Double?
    }
    struct McNemar: Decodable {
        let name: String, table: [[Int]], exact: Bool, correction: Bool, statistic: Double, pvalue: Double
    }
    struct Sign: Decodable {
        let name: String, a: [Double], b: [Double], alternative: String
        let n_positive: Int, n_negative: Int, pvalue: Double, statsmodels_m: Double?, statsmodels_pvalue: Double?
    }
    struct Permutation: Decodable {
        let name: String, a: [Double], b: [Double], alternative: String, statistic: Double, pvalue: Double
    }
    struct Friedman: Decodable {
        let name: String, data: [[Double]], statistic: Double, pvalue: Double
        let statistic_uncorrected: Double, pvalue_uncorrected: Double, mean_ranks: [Double]
        let iman_davenport_f: Double, iman_davenport_pvalue: Double
    }
    struct MultipleTests: Decodable {
        let name: String, pvalues: [Double], holm: [Double], fdr_bh: [Double]
    }
    struct StudentizedRange: Decodable {
        let k: Int, alpha: Double, q: Double, nemenyi: Double
    }
    struct BootstrapCase: Decodable {
        let name: String, a: [Double], b: [Double]?, confidence: Double, method: String
        let low: Double, high: Double, n_resamples: Int, se_low: Double, se_high: Double, se_n_resamples: Int
    }

    let ttest_rel: [TTest]
    let wilcoxon: [Wilcoxon]
    let mcnemar: [McNemar]
    let sign_test: [Sign]
    let permutation: [Permutation]
    let friedman: [Friedman]
    let multipletests: [MultipleTests]
    let studentized_range: [StudentizedRange]
    let bootstrap: [BootstrapCase]

    static let shared: ReferenceFixtures = {
        let url = Bundle.module.url(forResource: "reference", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONDecoder().decode(ReferenceFixtures.self, from: Data(contentsOf: url))
    }()
}

/// A fixture number that may be written as the string "inf" / "-inf".
struct FixtureNumber: Decodable {
    let value: Double
    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) {
            value = number
        } else {
            let text = try container.decode(String.self)
            guard let number = Double(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a number: \(text)")
            }
            value = number
        }
    }
}

/// Asserts `actual` agrees with `expected` to `relative` tolerance (infinities must match exactly).
func assertClose(_ actual: Double, _ expected: Double, relative: Double = 1e-9, absolute: Double = 0,
                 _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    if expected.isInfinite || actual.isInfinite {
        XCTAssertEqual(actual, expected, message(), file: file, line: line)
        return
    }
    let tolerance = max(absolute, relative * max(abs(expected), abs(actual)))
    XCTAssertLessThanOrEqual(abs(actual - expected), tolerance,
                             "\(message()): got \(actual), expected \(expected)", file: file, line: line)
}
