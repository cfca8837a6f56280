import XCTest
@testable import Autograd

/// The custom-operation API, with the examples from its documentation.
final class CustomOperationTests: XCTestCase {
    func hardThreshold(_ x: Tensor, at t: Float) -> Tensor {
        let y = Tensor(shape: x.shape, values: x.values.map { $0 > t ? 1 : 0 })
        return Tensor.operation("hardThreshold", output: y, inputs: [x]) { g in [g] }
    }

    func scaledProduct(_ a: Tensor, _ b: Tensor, _ c: Float) -> Tensor {
        let y = withoutGradient { a * b * c }
        return Tensor.operation("scaledProduct", output: y, inputs: [a, b]) { g in [g * b * c, g * a * c] }
    }

    func testStraightThroughEstimator() {
        let x = Tensor(shape: [4], values: [-1, 0.2, 0.7, 2])
        x.requiresGrad = true
        let y = hardThreshold(x, at: 0.5)
        XCTAssertEqual(y.values, [0, 0, 1, 1])
        (y * Tensor(shape: [4], values: [1, 2, 3, 4])).sum().backward()
        XCTAssertEqual(x.grad?.values, [1, 2, 3, 4])
    }

    func testCustomOperationGradient() {
        let a = randomTensor([3, 2], seed: 50), b = randomTensor([3, 2], seed: 51)
        assertGradientsMatch([a, b]) { scaledProduct($0[0], $0[1], 1.5).exp() }
    }

    func testNothingRecordedWithoutGradientInputs() {
        let y = scaledProduct(randomTensor([2], seed: 52), randomTensor([2], seed: 53), 2)
        XCTAssertFalse(y.requiresGrad)
        XCTAssertNil(y.node)
    }

    func testGradientsAccumulateAcrossUses() {
        let x = Tensor(shape: [2], values: [1, 2])
        x.requiresGrad = true
        (x * x + x).sum().backward()
        XCTAssertEqual(x.grad?.values, [3, 5])
        (x * 2).sum().backward()
        XCTAssertEqual(x.grad?.values, [5, 7])
    }
}
