import Autograd
import XCTest
@testable import TokenPruning

/// The DynamicViT keep predictor's inference pass against its recorded one.
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
}
