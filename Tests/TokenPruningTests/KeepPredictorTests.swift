import Autograd
import XCTest
@testable import TokenPruning

/// The DynamicViT keep predictor's inference pass against its recorded one.
final class KeepPredictorTests: XCTestCase {
    /// The one-pass local and global pooling gives the bits of the operations it replaces.
    func testOnePassPoolingGivesTheBitsOfTheOperations() {
        var source = SplitMix64(seed: 95)
        let predictor = KeepPredictor(width: 12, hidden: 16, using: &source)
        for shape in [[1, 144, 16], [2, 5, 16], [1, 1, 16]] {
            let x = Tensor(randomNormal: shape, using: &source)
            XCTAssertEqual(predictor.localAndGlobalAtInference(x).values,
                           withoutGradient { predictor.localAndGlobal(x) }.values, "\(shape)")
        }
    }

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
