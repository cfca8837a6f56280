import Autograd
import Statistics
import XCTest
@testable import TokenPruning

/// The DynamicViT keep predictor's inference pass against its recorded one, and the ranking it gives.
final class KeepPredictorTests: XCTestCase {
    /// Scores at inference (pipelines, one-pass pooling) match the recorded pass to rounding.
    func testInferenceMatchesTheRecordedPass() {
        var source = SplitMix64(seed: 96)
        let predictor = KeepPredictor(width: 12, hidden: 16, using: &source)
        let features = Tensor(randomNormal: [1, 30, 12], using: &source)
        let inference = BLAS.latencyBound { withoutGradient { predictor(features) } }.values
        let recorded = predictor(features).values
        XCTAssertEqual(inference.count, recorded.count)
        for (a, b) in zip(inference, recorded) { XCTAssertEqual(a, b, accuracy: 1e-5) }
    }

    /// The pruner ranks tokens by the keep-minus-drop logit; that keeps the tokens with the highest keep
    /// log-probability, as DynamicViT does.
    func testRankingByLogitMarginKeepsTheMostProbableTokens() throws {
        var source = SplitMix64(seed: 7)
        var configuration = GumbelPruner.Configuration()
        configuration.predictorWidth = 16
        let pruner = GumbelPruner(configuration: configuration, visionWidth: 12)
        let features = Tensor(randomNormal: [40, 12], using: &source)
        let tokens = VisualTokens(features: features, projected: features)
        let logProbabilities = pruner.predictor(features.reshaped([1, 40, 12])).values
        let keep = (0..<40).map { logProbabilities[2 * $0] }
        let context = PruningContext(question: [1], random: RandomStream(seed: 0, path: ["t"]))
        for budget in [1, 5, 13, 39, 40] {
            let selection = try pruner.select(tokens, budget: budget, context: context)
            XCTAssertEqual(selection.kept, try Selection.topK(keep, budget: budget).kept, "budget \(budget)")
        }
    }
}
