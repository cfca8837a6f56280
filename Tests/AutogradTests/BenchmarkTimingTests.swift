import XCTest
@testable import Autograd

/// The statistics the benchmarks report: medians, and ratios paired round by round.
final class BenchmarkTimingTests: XCTestCase {
    func testMedianOfOddAndEvenCounts() {
        XCTAssertEqual(median([3, 1, 2]), 2)
        XCTAssertEqual(median([4, 1, 3, 2]), 2.5)
    }

    /// Rounds that straddle a switch of the machine's speed: the paired ratio stays that of each round,
    /// where the ratio of the medians pairs a slow reference with a fast run.
    func testPairedRatioIgnoresASpeedSwitch() {
        let reference: [Double] = [1.5, 1.5, 1.8, 1.8, 1.8], pruned: [Double] = [0.2, 0.2, 0.24, 0.24, 0.2]
        XCTAssertEqual(medianRatio(reference, pruned), 7.5, accuracy: 1e-12)
        XCTAssertEqual(median(reference) / median(pruned), 9, accuracy: 1e-12)
    }

    /// Every body runs once per round, in order, and each gets one time per round.
    func testRoundsTimeEveryBodyInEachRound() {
        var order: [Int] = []
        let rounds = roundsMilliseconds(interleaving: [{ order.append(0) }, { order.append(1) }], repeats: 3, warmup: 1)
        XCTAssertEqual(order, [0, 1, 0, 1, 0, 1, 0, 1])
        XCTAssertEqual(rounds.map(\.count), [3, 3])
        XCTAssertTrue(rounds.joined().allSatisfy { $0 >= 0 && $0.isFinite })
    }
}
