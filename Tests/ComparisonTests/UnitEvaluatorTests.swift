import XCTest
@testable import Comparison
import SyntheticVQA
import TinyVLM
import TokenPruning

final class UnitEvaluatorTests: XCTestCase {
    nonisolated(unsafe) static let model = try! BuiltInModel.load()

    /// Items run side by side on several threads give exactly what one thread gives.
    func testResultsDoNotDependOnWorkers() throws {
        let suite = TaskSuite(layout: Self.model.configuration.layout, seed: 0)
        let pruner = try PrunerRegistry.shared.make("random", environment: PrunerEnvironment(model: Self.model, keepRatio: 0.111))
        let unit = ComparisonUnit(method: "random", keepRatio: 0.111, seed: 3)
        let timing = ComparisonPlan.Timing(items: 1, repeats: 1, warmup: 0)
        var one = UnitEvaluator(model: Self.model, suite: suite, itemsPerFamily: 5, workers: 1)
        one.chunkSize = 7
        var two = one
        two.workers = 2
        let a = try one.evaluate(unit, pruner: pruner, budget: 16, timing: timing)
        let b = try two.evaluate(unit, pruner: pruner, budget: 16, timing: timing)
        XCTAssertEqual(a.withoutTiming, b.withoutTiming)
        XCTAssertEqual(a.correct.count, 50)
        // One item, one timed run: a single pair, so the paired speedup and share are its two times' ratios.
        XCTAssertEqual(a.timing.samples, 1)
        XCTAssertEqual(a.timing.speedup, a.timing.unprunedPrefillMilliseconds / a.timing.prefillMilliseconds, accuracy: 1e-9)
        XCTAssertEqual(a.timing.prunerShare, a.timing.prunerMilliseconds / a.timing.unprunedPrefillMilliseconds, accuracy: 1e-9)
        XCTAssertEqual(a.tokensPerLayer.first, b.tokensPerLayer.first)
    }

    /// The batched vision pass plus per-item prefill answers what `evaluate` answers item by item.
    func testBatchedEvaluationMatchesThePerItemPath() throws {
        let suite = TaskSuite(layout: Self.model.configuration.layout, seed: 0)
        let evaluator = UnitEvaluator(model: Self.model, suite: suite, itemsPerFamily: 3)
        let result = try evaluator.evaluate(ComparisonUnit(method: "unpruned", keepRatio: 1, seed: 0), pruner: nil, budget: 144,
                                            timing: .init(items: 1, repeats: 1, warmup: 0))
        let expected = try evaluator.items.map { item -> Character in
            let answer = try PrunedInference.answer(model: Self.model, pruner: nil, item: item, suite: suite, budget: 144, seed: 0)
            return suite.vocabulary.answers[answer.predicted] == item.answer ? "1" : "0"
        }
        XCTAssertEqual(result.correct, String(expected))
        XCTAssertEqual(result.timing.speedup, 1, "the unpruned unit is its own reference")
        XCTAssertEqual(result.timing.prunerShare, 0)
    }
}
