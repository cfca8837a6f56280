import Autograd
import Foundation
import Statistics
import SyntheticVQA
import TinyVLM
import XCTest
@testable import TokenPruning

/// The contract every registered pruner must keep, checked on a small model: exactly K kept, ascending,
/// no duplicates, deterministic per seed, K = N keeps all, K = 1 works, and bad budgets, empty token
/// sets and non-finite scores are clear errors.
final class PrunerContractTests: XCTestCase {
    static let configuration = TinyVLMConfiguration.miniature(languageLayers: 4)
    nonisolated(unsafe) static let model = TinyVLM(configuration, seed: 1)
    static let suite = TaskSuite(layout: configuration.layout, seed: 2, testItemsPerFamily: 10)
    static let cache = FileManager.default.temporaryDirectory.appendingPathComponent("prunelab-contract-\(UUID().uuidString)")

    /// A user-defined pruner, registered from outside the library with one call.
    struct CentreFirstPruner: TokenPruner {
        let name = "centre-first"
        let location = PruningLocation.beforeLanguageModel
        func select(_ tokens: VisualTokens, budget: Int, context: PruningContext) throws -> Selection {
            let centre = Float(tokens.count) / 2
            return try Selection.topK((0..<tokens.count).map { -abs(Float($0) - centre) }, budget: budget)
        }
    }

    override class func setUp() {
        PrunerRegistry.shared.register(PrunerDescriptor(
            name: "centre-first", summary: "test pruner: tokens nearest the middle", location: .beforeLanguageModel
        ) { _ in CentreFirstPruner() })
    }

    override class func tearDown() { try? FileManager.default.removeItem(at: cache) }

    private func make(_ name: String) throws -> any TokenPruner {
        // Two training steps are enough to exercise the learned pruners' plumbing.
        let trainable = try PrunerRegistry.shared.descriptor(named: name).trainable
        let environment = PrunerEnvironment(model: Self.model, keepRatio: 1.0 / 9, seed: 3,
                                            options: PrunerOptions(trainable ? ["steps": "2"] : [:]),
                                            weightsCache: Self.cache)
        return try PrunerRegistry.shared.make(name, environment: environment)
    }

    private func run(_ pruner: any TokenPruner, _ item: VQAItem, budget: Int, seed: UInt64 = 0) throws -> PrunedInference.Answer {
        try PrunedInference.answer(model: Self.model, pruner: pruner, item: item, suite: Self.suite, budget: budget, seed: seed)
    }

    func testEveryRegisteredPrunerKeepsTheContract() throws {
        let names = PrunerRegistry.shared.names
        XCTAssertTrue(Set(["diffprune", "gumbel", "random", "attention-norm", "topk", "oracle", "centre-first"]).isSubset(of: Set(names)))
        let n = Self.configuration.visualTokens
        for name in names {
            let pruner = try make(name)
            for (index, family) in TaskFamily.allCases.enumerated() {
                let item = Self.suite.testItem(family, index % 10)
                for budget in [1, 4, n / 3, n] {
                    let answer = try run(pruner, item, budget: budget)
                    let kept = answer.selection.kept
                    XCTAssertEqual(kept.count, budget, name)
                    XCTAssertEqual(kept, kept.sorted(), name)
                    XCTAssertEqual(Set(kept).count, budget, name)
                    XCTAssertTrue(kept.allSatisfy { $0 >= 0 && $0 < n }, name)
                    if budget == n { XCTAssertEqual(kept, Array(0..<n), name) }
                    // Same seed, same selection and answer.
                    let again = try run(pruner, item, budget: budget)
                    XCTAssertEqual(again.selection, answer.selection, name)
                    XCTAssertEqual(again.predicted, answer.predicted, name)
                }
                for bad in [0, -1, n + 1] {
                    XCTAssertThrowsError(try run(pruner, item, budget: bad), name) { error in
                        XCTAssertEqual(error as? PruningError, .budgetOutOfRange(budget: bad, tokens: n))
                    }
                }
            }
        }
    }

    /// DiffPrune's threshold-inference mode keeps between 1 and the budget, the highest scores first.
    func testDiffPruneThresholdModeKeepsAtMostTheBudget() throws {
        func pruner(threshold: String) throws -> any TokenPruner {
            let environment = PrunerEnvironment(model: Self.model, keepRatio: 1.0 / 9, seed: 3,
                                                options: PrunerOptions(["steps": "2", "threshold": threshold]),
                                                weightsCache: Self.cache)
            return try PrunerRegistry.shared.make("diffprune", environment: environment)
        }
        let item = Self.suite.testItem(.counting, 2)
        let topK = try run(try make("diffprune"), item, budget: 8).selection.kept
        XCTAssertEqual(try run(try pruner(threshold: "-1e9"), item, budget: 8).selection.kept, topK)
        let strict = try run(try pruner(threshold: "1e9"), item, budget: 8).selection.kept
        XCTAssertEqual(strict.count, 1)
        XCTAssertTrue(topK.contains(strict[0]))
        let middle = try run(try pruner(threshold: "0"), item, budget: 8).selection.kept
        XCTAssertTrue((1...8).contains(middle.count))
        XCTAssertTrue(Set(middle).isSubset(of: Set(topK)))
        XCTAssertThrowsError(try pruner(threshold: "nan"))
    }

    func testInLLMPrunersProcessFewerTokensAfterTheirLayer() throws {
        let pruner = try make("attention-norm")
        guard case .insideLanguageModel(let layer) = pruner.location else { return XCTFail("not in-LLM") }
        let item = Self.suite.testItem(.colour, 0)
        let answer = try run(pruner, item, budget: 4)
        let full = 36 + item.question.count
        XCTAssertEqual(answer.tokensPerLayer, (0..<4).map { $0 <= layer ? full : 4 + item.question.count })
    }

    func testEmptyTokensAndNonFiniteScoresAreErrors() throws {
        let empty = VisualTokens(features: Tensor(zeros: [0, 16]), projected: Tensor(zeros: [0, 32]))
        let context = PruningContext(question: [1], random: RandomStream(seed: 0, path: ["t"]))
        XCTAssertThrowsError(try RandomPruner().prune(empty, budget: 1, context: context)) { error in
            XCTAssertEqual(error as? PruningError, .noTokens)
        }
        XCTAssertThrowsError(try Selection.topK([1, .nan, 2], budget: 1)) { error in
            guard case .invalidScore(let index, _) = error as? PruningError else { return XCTFail("\(error)") }
            XCTAssertEqual(index, 1)
        }
        XCTAssertThrowsError(try Selection.topK([1, .infinity, 2], budget: 1))
        let tokens = VisualTokens(features: Tensor(shape: [3, 16], values: [Float](repeating: .nan, count: 48)),
                                  projected: Tensor(shape: [3, 32], values: [Float](repeating: .nan, count: 96)))
        XCTAssertThrowsError(try TopKPruner().prune(tokens, budget: 1, context: context))
    }

    func testTopKBreaksTiesTowardsTheLowerIndex() throws {
        XCTAssertEqual(try Selection.topK([1, 3, 3, 0, 3], budget: 2).kept, [1, 2])
        XCTAssertEqual(try Selection.topK([-0.0, 0, -1, .greatestFiniteMagnitude, -.greatestFiniteMagnitude], budget: 3).kept,
                       [0, 1, 3])
    }

    func testTopKMatchesRankingByComparison() throws {
        // Scores with many ties, both signs, zeros of both signs and extremes.
        let stream = RandomStream(seed: 7, path: ["topk"])
        let pool: [Float] = [-0.0, 0, 1e-30, -1e-30, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 2.5, -2.5]
        for trial in 0..<50 {
            let scores = (0..<(1 + trial * 7)).map { _ in
                stream.bernoulli(0.3) ? pool[stream.integer(below: pool.count)] : Float(stream.integer(below: 9)) - 4 + 0.5 * Float(stream.uniform())
            }
            let ranked = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
            for budget in Set([1, scores.count / 3 + 1, scores.count]) {
                XCTAssertEqual(try Selection.topK(scores, budget: budget).kept, ranked.prefix(budget).sorted(), "\(scores)")
            }
        }
        // Sorted orders, and two that defeat a median-of-three pivot until the selection falls back to sorting
        // (at 144 and 577 tokens; that it is not quadratic there, no test can say without timing it).
        for n in [3, 144, 577] {
            let ascending: [Float] = (0..<n).map(Float.init), descending: [Float] = ascending.reversed()
            let smallestFirst: [Float] = [0] + descending.dropLast(), largestFirst: [Float] = [Float(n)] + ascending.dropFirst()
            for scores in [ascending, descending, smallestFirst, largestFirst] {
                let ranked = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
                for budget in Set([1, n / 9 + 1, n / 2, n]) {
                    XCTAssertEqual(try Selection.topK(scores, budget: budget).kept, ranked.prefix(budget).sorted(), "n \(n)")
                }
            }
        }
    }

    func testUnknownNamesAndOptionsAreErrors() {
        let environment = PrunerEnvironment(model: Self.model, keepRatio: 0.5, weightsCache: Self.cache)
        XCTAssertThrowsError(try PrunerRegistry.shared.make("fastest", environment: environment)) { error in
            XCTAssertTrue("\(error)".contains("unknown method 'fastest'"))
        }
        var withOption = environment
        withOption.options = PrunerOptions(["frobnicate": "1"])
        XCTAssertThrowsError(try PrunerRegistry.shared.make("random", environment: withOption)) { error in
            XCTAssertTrue("\(error)".contains("no option 'frobnicate'"))
        }
        withOption.options = PrunerOptions(["throttler": "laser"])
        XCTAssertThrowsError(try PrunerRegistry.shared.make("diffprune", environment: withOption)) { error in
            XCTAssertTrue("\(error)".contains("vp-noise"))
        }
        withOption.options = PrunerOptions(["scorer-depth": "2", "scorer-width": "30"])
        XCTAssertThrowsError(try PrunerRegistry.shared.make("diffprune", environment: withOption)) { error in
            XCTAssertTrue("\(error)".contains("scorer-width=30"))
        }
        withOption.options = PrunerOptions(["predictor-width": "2"])
        XCTAssertThrowsError(try PrunerRegistry.shared.make("gumbel", environment: withOption)) { error in
            XCTAssertTrue("\(error)".contains("predictor-width"))
        }
        var noTraining = environment
        noTraining.allowTraining = false
        noTraining.options = PrunerOptions(["steps": "7"])
        XCTAssertThrowsError(try PrunerRegistry.shared.make("gumbel", environment: noTraining)) { error in
            XCTAssertTrue("\(error)".contains("prune-bench train pruner gumbel"))
        }
    }

    func testOracleKeepsTheRelevantPatchesFirst() throws {
        let item = Self.suite.testItem(.colour, 1)
        let relevant = item.relevantPatches
        XCTAssertFalse(relevant.isEmpty)
        let answer = try run(OraclePruner(), item, budget: relevant.count + 2)
        XCTAssertTrue(Set(relevant).isSubset(of: Set(answer.selection.kept)))
    }
}
