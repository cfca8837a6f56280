import Autograd
import Statistics
import XCTest
@testable import TokenPruning

/// The DynamicViT keep predictor's inference pass against its recorded one, and the tokens the pruner keeps by it.
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

    /// The pruner keeps the tokens with the highest keep probability σ(l_keep − l_drop), as DynamicViT
    /// does, ranked by the margin itself: also where the margins are so large that every keep
    /// log-probability rounds to 0 and ranking by it would keep the first tokens.
    func testKeepsTheTokensWithTheLargestKeepMargin() throws {
        var source = SplitMix64(seed: 7)
        var configuration = GumbelPruner.Configuration()
        configuration.predictorWidth = 16
        let pruner = GumbelPruner(configuration: configuration, visionWidth: 12)
        let features = Tensor(randomNormal: [40, 12], using: &source)
        let tokens = VisualTokens(features: features, projected: features)
        let context = PruningContext(question: [1], random: RandomStream(seed: 0, path: ["t"]))
        for keepBias: Float in [0, 60] {
            pruner.predictor.fc3.bias!.withUnsafeMutableBufferPointer { $0[0] += keepBias }
            let logits = pruner.predictor.logits(features.reshaped([1, 40, 12])).values
            let margins = (0..<40).map { Double(logits[2 * $0]) - Double(logits[2 * $0 + 1]) }
            let logProbabilities = pruner.predictor(features.reshaped([1, 40, 12])).values
            XCTAssertEqual(keepBias > 0, (0..<40).allSatisfy { logProbabilities[2 * $0] == 0 }, "saturated at bias \(keepBias)")
            for budget in [1, 5, 13, 39, 40] {
                let expected = margins.indices.sorted { margins[$0] > margins[$1] }.prefix(budget).sorted()
                let kept = try pruner.select(tokens, budget: budget, context: context).kept
                XCTAssertEqual(kept, Array(expected), "budget \(budget), keep bias \(keepBias)")
            }
        }
    }
}
