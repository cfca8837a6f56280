import XCTest
@testable import Autograd

/// A tensor of N(0, scale²) draws from a seeded stream.
func randomTensor(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
    var source = SplitMix64(seed: seed)
    return Tensor(randomNormal: shape, standardDeviation: scale, using: &source)
}

/// Checks the recorded gradients of `function` with respect to every tensor in `inputs` against central
/// finite differences.
///
/// The scalar probed is `L = Σ_k w_k·f(inputs)_k` with fixed random weights `w`, so every output element
/// contributes. `L` is accumulated in Float64 from the Float32 outputs, which keeps rounding noise far
/// below the differences for the step used (2⁻⁷, exact in binary). Large inputs are probed at up to
/// `samples` evenly spaced elements. An element passes when
/// `|analytic − numeric| ≤ tolerance · max(|numeric|, 0.1·max|numeric|) + 1e-4`.
func assertGradientsMatch(
    _ inputs: [Tensor], step: Float = 1.0 / 128, tolerance: Double = 1e-2, samples: Int = 48,
    file: StaticString = #filePath, line: UInt = #line, _ function: ([Tensor]) -> Tensor
) {
    for input in inputs {
        input.requiresGrad = true
        input.zeroGradient()
    }
    let shape = withoutGradient { function(inputs) }.shape
    let weights = randomTensor(shape, seed: 4242)
    (function(inputs) * weights).sum().backward()
    let weightValues = weights.values.map(Double.init)
    func probe() -> Double {
        let output = withoutGradient { function(inputs) }.values
        var total = 0.0
        for (value, weight) in zip(output, weightValues) { total += Double(value) * weight }
        return total
    }
    for (position, input) in inputs.enumerated() {
        let analytic = input.grad?.values ?? [Float](repeating: 0, count: input.count)
        let stride = Swift.max(1, input.count / samples)
        var numeric: [(index: Int, value: Double)] = []
        for index in Swift.stride(from: 0, to: input.count, by: stride) {
            let original = input.pointer[index]
            func set(_ value: Float) {
                input.pointer[index] = value
                input.valuesChanged()  // in place: anything derived from the values (a packed copy) is stale
            }
            set(original + step)
            let (up, upper) = (probe(), Double(input.pointer[index]))
            set(original - step)
            let (down, lower) = (probe(), Double(input.pointer[index]))
            set(original)
            numeric.append((index, (up - down) / (upper - lower)))
        }
        let scale = numeric.map { Swift.abs($0.value) }.max() ?? 0
        for (index, value) in numeric {
            let error = Swift.abs(Double(analytic[index]) - value)
            let bound = tolerance * Swift.max(Swift.abs(value), 0.1 * scale) + 1e-4
            if error > bound {
                XCTFail("input \(position) element \(index): analytic \(analytic[index]), numeric \(value)",
                        file: file, line: line)
                return
            }
        }
    }
}
