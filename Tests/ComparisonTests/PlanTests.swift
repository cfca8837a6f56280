import XCTest
@testable import Comparison
import TinyVLM

final class PlanTests: XCTestCase {
    func plan(methods: [String] = ["random", "topk"], ratios: [Double] = [0.111], seeds: [UInt64] = [0, 1]) throws -> ComparisonPlan {
        try ComparisonPlan(kind: .comparison, name: "test", methods: methods.map { try MethodSpec(pruner: $0) },
                           keepRatios: ratios, seeds: seeds, itemsPerFamily: 4, timing: .init(items: 1, repeats: 1, warmup: 0),
                           bootstrapResamples: 200, retrain: false, model: "m", configuration: .standard)
    }

    func testUnitsRunSeedIndependentMethodsOnce() throws {
        let units = try plan().units
        XCTAssertEqual(units.map(\.key), ["unpruned_r1.0000_s0", "random_r0.1110_s0", "random_r0.1110_s1", "topk_r0.1110_s0"])
    }

    func testInvalidPlansAreRefused() {
        XCTAssertThrowsError(try plan(ratios: [1.5]))
        XCTAssertThrowsError(try plan(ratios: [0.111, 0.1112]))  // both keep 16 tokens
        XCTAssertThrowsError(try plan(seeds: []))
        XCTAssertThrowsError(try plan(methods: ["nonsense"]))
        XCTAssertThrowsError(try plan(methods: ["oracle"]))  // nothing to test against
    }

    func testShardsPartitionTheGrid() throws {
        let units = try plan(ratios: [0.333, 0.111], seeds: [0, 1, 2]).units
        let shards = try (1...3).map { try Shard(parsing: "\($0)/3").select(units) }
        XCTAssertEqual(Set(shards.flatMap { $0 }), Set(units))
        XCTAssertEqual(shards.map(\.count).reduce(0, +), units.count)
        for bad in ["3/2", "0/2", "1/0", "a/b", "1", "1/2/3"] {
            XCTAssertThrowsError(try Shard(parsing: bad), bad)
        }
    }
}
