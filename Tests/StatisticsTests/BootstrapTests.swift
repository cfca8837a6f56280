import Foundation
import XCTest
@testable import Statistics

final class BootstrapTests: XCTestCase {
    func testSameSeedSameIntervalAndSeedIsRecorded() throws {
        let values = (0..<500).map { Double(($0 * 37) % 11) }
        let a = try Bootstrap.mean(values, resamples: 3_000, seed: 42)
        let b = try Bootstrap.mean(values, resamples: 3_000, seed: 42)
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.seed, 42)
        XCTAssertEqual(a.resamples, 3_000)
        XCTAssertNotEqual(try Bootstrap.mean(values, resamples: 3_000, seed: 43).low, a.low)
    }

    func testStratificationRemovesBetweenStratumVariance() throws {
        // Two strata with very different means: resampling within strata keeps their sizes fixed, so the
        // interval only reflects within-stratum noise and is much narrower than the pooled one.
        let values = (0..<400).map { i in (i < 200 ? 0.0 : 10.0) + Double(i % 5) * 0.1 }
        let strata = (0..<400).map { $0 < 200 ? 0 : 1 }
        let pooled = try Bootstrap.mean(values, method: .percentile, resamples: 4_000, seed: 1)
        let stratified = try Bootstrap.mean(values, strata: strata, method: .percentile, resamples: 4_000, seed: 1)
        XCTAssertEqual(stratified.strata, 2)
        XCTAssertLessThan(stratified.high - stratified.low, 0.1 * (pooled.high - pooled.low))
        XCTAssertTrue(stratified.low < 5.2 && 5.2 < stratified.high, "\(stratified)")
    }

    func testBCaMovesTowardsTheLongTail() throws {
        // Skewed sample: BCa's interval sits to the right of the percentile one.
        let values = (1...200).map { i in -log(1 - Double(i) / 201) }
        let percentile = try Bootstrap.mean(values, method: .percentile, resamples: 20_000, seed: 5)
        let bca = try Bootstrap.mean(values, method: .bca, resamples: 20_000, seed: 5)
        XCTAssertGreaterThan(bca.acceleration!, 0)
        XCTAssertGreaterThan(bca.high, percentile.high)
    }

    func testRatioOfMeansStatistic() throws {
        let pruned = (0..<300).map { Double($0 % 10 < 8 ? 1 : 0) }
        let full = (0..<300).map { Double($0 % 10 < 9 ? 1 : 0) }
        let retention = try Bootstrap.interval(columns: [pruned, full], resamples: 2_000, seed: 2) { $0[0] / $0[1] }
        XCTAssertEqual(retention.estimate, 0.8 / 0.9, accuracy: 1e-12)
        XCTAssertLessThan(retention.low, retention.estimate)
        XCTAssertGreaterThan(retention.high, retention.estimate)
    }

    func testPercentileInterpolatesLikeNumpy() {
        let sorted: [Double] = [1, 2, 3, 4]
        XCTAssertEqual(Bootstrap.percentile(sorted, 0), 1)
        XCTAssertEqual(Bootstrap.percentile(sorted, 1), 4)
        XCTAssertEqual(Bootstrap.percentile(sorted, 0.5), 2.5)
        XCTAssertEqual(Bootstrap.percentile(sorted, 0.25), 1.75, accuracy: 1e-15)
    }
}
