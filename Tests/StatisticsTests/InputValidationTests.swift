import XCTest
@testable import Statistics

/// Bad input is a thrown `StatisticsError` with a message naming the problem, never a crash or NaN.
final class InputValidationTests: XCTestCase {
    private func assertRejects(_ expression: @autoclosure () throws -> Any, mentioning fragment: String,
                               file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try expression(), file: file, line: line) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains(fragment), "'\(message)' does not mention '\(fragment)'", file: file, line: line)
            XCTAssertFalse(message.contains("\n"), "error message spans lines: \(message)", file: file, line: line)
        }
    }

    func testFewerThanTwoPairs() {
        assertRejects(try PairedTTest([1], [2]), mentioning: "at least 2 pairs")
        assertRejects(try PairedPermutationTest([1], [2]), mentioning: "at least 2 pairs")
        assertRejects(try Bootstrap.mean([1]), mentioning: "at least 2 items")
        assertRejects(try WilcoxonSignedRank(differences: []), mentioning: "at least one pair")
    }

    func testAllZeroDifferences() {
        let a: [Double] = [1, 2, 3], b: [Double] = [1, 2, 3]
        assertRejects(try PairedTTest(a, b), mentioning: "zero variance")
        assertRejects(try WilcoxonSignedRank(a, b), mentioning: "all 3 paired differences are zero")
        assertRejects(try SignTest(a, b), mentioning: "all 3 paired differences are zero")
        assertRejects(try PairedPermutationTest(a, b), mentioning: "all 3 paired differences are zero")
    }

    func testNaNAndInfinity() {
        assertRejects(try PairedTTest([1, .nan, 3], [1, 2, 4]), mentioning: "non-finite")
        assertRejects(try WilcoxonSignedRank(differences: [1, .infinity]), mentioning: "non-finite")
        assertRejects(try FriedmanTest([[1, 2, 3], [1, .nan, 2]]), mentioning: "row 2")
        assertRejects(try MultipleComparisons.adjust([0.1, .nan]), mentioning: "p-value 2")
        assertRejects(try Bootstrap.mean([1, .nan, 2]), mentioning: "non-finite")
    }

    func testMismatchedAndMalformedInputs() {
        assertRejects(try PairedTTest([1, 2, 3], [1, 2]), mentioning: "differ in length")
        assertRejects(try FriedmanTest([[1, 2, 3], [1, 2]]), mentioning: "row 2 has 2 values")
        assertRejects(try FriedmanTest([[1, 2, 3]]), mentioning: "at least 2 blocks")
        assertRejects(try FriedmanTest([[1, 1], [2, 2]]), mentioning: "ties all methods")
        assertRejects(try McNemarTest([1, 0, 2], [1, 1, 0]), mentioning: "0/1 outcomes")
        assertRejects(try McNemarTest(table: [[1, 2]]), mentioning: "2×2")
        assertRejects(try MultipleComparisons.adjust([]), mentioning: "no p-values")
        assertRejects(try MultipleComparisons.adjust([0.5, 1.5]), mentioning: "outside [0, 1]")
        assertRejects(try PairedTTest([1, 2, 3], [0, 0, 1], confidence: 1.5), mentioning: "confidence")
        assertRejects(try Bootstrap.mean([1, 2, 3], strata: [0, 1]), mentioning: "strata labels")
        assertRejects(try PairedPermutationTest(Array(repeating: 1, count: 30), Array(repeating: 0, count: 30), method: .exact),
                      mentioning: "n ≤ 26")
    }

    func testNoDiscordantPairsGivesPOne() throws {
        for exact in [true, false] {
            let m = try McNemarTest([1, 0, 1], [1, 0, 1], exact: exact)
            XCTAssertEqual(m.pValue, 1)
            XCTAssertEqual(m.statistic, 0)
        }
    }

    func testFriedmanWithPerfectAgreementHasFiniteChiSquareAndZeroIDPValue() throws {
        let f = try FriedmanTest([[1, 2, 3], [1, 2, 3], [1, 2, 3]])
        XCTAssertEqual(f.meanRanks, [1, 2, 3])
        XCTAssertTrue(f.statistic.isFinite)
        XCTAssertEqual(f.imanDavenportPValue, 0)
    }

    func testDegenerateBootstrapGivesAPointInterval() throws {
        let interval = try Bootstrap.mean([1, 1, 1, 1], resamples: 100)
        XCTAssertEqual(interval.low, 1)
        XCTAssertEqual(interval.high, 1)
    }
}
