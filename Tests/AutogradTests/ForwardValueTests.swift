import Foundation
import XCTest
@testable import Autograd

/// Forward values against straightforward Float64 references, and inference-mode behaviour.
final class ForwardValueTests: XCTestCase {
    func testVectorisedExpAndGaussianCDF() {
        for x in stride(from: Float(-80), through: 80, by: 0.37) {
            XCTAssertEqual(Double(VectorMath.exp(x)), Foundation.exp(Double(x)), accuracy: 3e-7 * Foundation.exp(Double(x)))
        }
        XCTAssertEqual(VectorMath.exp(-.infinity), 0)
        XCTAssertEqual(VectorMath.exp(0), 1)
        for x in stride(from: Float(-6), through: 6, by: 0.05) {
            let reference = 0.5 * Foundation.erfc(-Double(x) / 2.0.squareRoot())
            XCTAssertEqual(Double(GELUKernel.cdfAndDensity(x).cdf), reference, accuracy: 2e-7)
        }
    }

    /// LayerNorm and RMSNorm, which compute their statistics in passes over all rows, give each row the
    /// bits of that row normalised alone (with `VectorMath.sum` and `dot`), for widths around the
    /// eight-float vectors; and those values match a Float64 reference.
    func testRowNormalisationMatchesRowsAloneAndAReference() {
        for width in [1, 7, 8, 32, 37, 128] {
            for rows in [1, 3, 4, 5, 9] {
                let x = randomTensor([rows, width], seed: UInt64(rows * 100 + width))
                let gamma = randomTensor([width], seed: 7), beta = randomTensor([width], seed: 8)
                for centered in [true, false] {
                    let y = centered ? layerNorm(x, weight: gamma, bias: beta) : rmsNorm(x, weight: gamma)
                    for row in 0..<rows {
                        let input = Array(UnsafeBufferPointer(start: x.pointer + row * width, count: width))
                        let (alone, reference) = normalisedRow(input, gamma: gamma.values,
                                                               beta: centered ? beta.values : nil, centered: centered)
                        for j in 0..<width {
                            let got = y.pointer[row * width + j]
                            let label = "width \(width), rows \(rows), row \(row), centered \(centered)"
                            XCTAssertEqual(got.bitPattern, alone[j].bitPattern, label)
                            XCTAssertEqual(Double(got), reference[j], accuracy: 1e-4 * (1 + abs(reference[j])), label)
                        }
                    }
                }
            }
        }
    }

    /// One row normalised alone, in Float with `VectorMath`'s reductions as `layerNorm`/`rmsNorm` do, and
    /// in Float64.
    private func normalisedRow(_ input: [Float], gamma: [Float], beta: [Float]?, centered: Bool)
        -> (alone: [Float], reference: [Double]) {
        let width = input.count, epsilon: Float = centered ? 1e-5 : 1e-6
        let mean = centered ? VectorMath.sum(input, width) / Float(width) : 0
        let deviations = input.map { $0 - mean }
        let reciprocal = 1 / (VectorMath.dot(deviations, deviations, width) / Float(width) + epsilon).squareRoot()
        let alone = (0..<width).map { j in
            let scaled = deviations[j] * reciprocal * gamma[j]
            return beta.map { scaled + $0[j] } ?? scaled
        }
        let meanDouble = centered ? input.reduce(0.0) { $0 + Double($1) } / Double(width) : 0
        let variance = input.reduce(0.0) { $0 + pow(Double($1) - meanDouble, 2) } / Double(width)
        let reference = (0..<width).map { j in
            (Double(input[j]) - meanDouble) / (variance + Double(epsilon)).squareRoot() * Double(gamma[j])
                + (beta.map { Double($0[j]) } ?? 0)
        }
        return (alone, reference)
    }

    func testMatrixProductAgainstNaive() {
        let a = randomTensor([2, 3, 4], seed: 40), b = randomTensor([2, 4, 5], seed: 41)
        let c = matmul(a, b).values
        let (x, y) = (a.values, b.values)
        for batch in 0..<2 {
            for i in 0..<3 {
                for j in 0..<5 {
                    var total = 0.0
                    for k in 0..<4 { total += Double(x[batch * 12 + i * 4 + k]) * Double(y[batch * 20 + k * 5 + j]) }
                    XCTAssertEqual(Double(c[batch * 15 + i * 5 + j]), total, accuracy: 1e-5)
                }
            }
        }
    }

    /// Both paths: the general one (OpenBLAS) and batch-1 inference (the packed-weight kernel, inside
    /// `BLAS.latencyBound` without gradients), at sizes around the kernel's 6-row blocks and 16-column panels.
    func testAttentionAgainstNaiveDynamicViTFormula() {
        for (tokens, width, heads) in [(6, 8, 2), (21, 64, 2), (17, 40, 1)] {
            for inference in [false, true] {
                checkAttention(tokens: tokens, width: width, heads: heads, inference: inference)
            }
        }
    }

    func checkAttention(tokens: Int, width: Int, heads: Int, inference: Bool, file: StaticString = #filePath, line: UInt = #line) {
        let q = randomTensor([tokens, width], seed: 42), k = randomTensor([tokens, width], seed: 43)
        let v = randomTensor([tokens, width], seed: 44)
        let keepValues = (0..<tokens).map { [1, 0, 0.5, 1, 0.2, 0][$0 % 6] as Float }
        func run() -> AttentionResult {
            attention(query: q, key: k, value: v, heads: heads, causal: true,
                      keep: Tensor(shape: [tokens], values: keepValues), returnProbabilities: true)
        }
        let result = inference ? BLAS.latencyBound { withoutGradient(run) } : run()
        let (qv, kv, vv) = (q.values, k.values, v.values)
        let (probabilities, output) = (result.probabilities!.values, result.output.values)
        let headWidth = width / heads, label = "\(tokens) tokens, width \(width), inference \(inference)"
        for h in 0..<heads {
            for i in 0..<tokens {
                let logits = (0...i).map { j in
                    (0..<headWidth).reduce(0.0) { $0 + Double(qv[i * width + h * headWidth + $1]) * Double(kv[j * width + h * headWidth + $1]) }
                        / Double(headWidth).squareRoot()
                }
                let maximum = logits.max()!
                let weights = logits.enumerated().map { j, a in
                    Foundation.exp(a - maximum) * (j == i ? 1 : Double(keepValues[j]))
                }
                let denominator = weights.reduce(0, +) + 1e-6
                for j in 0..<tokens {
                    let expected = j <= i ? weights[j] / denominator : 0
                    XCTAssertEqual(Double(probabilities[(h * tokens + i) * tokens + j]), expected, accuracy: 1e-6, label,
                                   file: file, line: line)
                }
                for c in 0..<headWidth {
                    let expected = (0...i).reduce(0.0) { $0 + weights[$1] / denominator * Double(vv[$1 * width + h * headWidth + c]) }
                    XCTAssertEqual(Double(output[i * width + h * headWidth + c]), expected, accuracy: 1e-5, label,
                                   file: file, line: line)
                }
            }
        }
    }

    func testPlainAttentionProbabilitiesAreSoftmax() {
        let q = randomTensor([2, 4, 6], seed: 45), k = randomTensor([2, 7, 6], seed: 46)
        let result = attention(query: q, key: k, value: k, heads: 3, causal: true, returnProbabilities: true)
        let probabilities = result.probabilities!
        XCTAssertEqual(probabilities.shape, [2, 3, 4, 7])
        let rows = probabilities.values.chunked(7)
        for (index, slice) in rows.enumerated() {
            let query = index % 4, row = Array(slice)
            XCTAssertEqual(row.reduce(0, +), 1, accuracy: 1e-5)
            XCTAssertTrue(row[(query + 4)...].allSatisfy { $0 == 0 }, "query \(query) sees a future key")
        }
    }

    func testInferenceModeRecordsNothingAndMatches() {
        var source = SplitMix64(seed: 47)
        let block = TransformerBlock(width: 8, heads: 2, hidden: 16, using: &source)
        let x = randomTensor([5, 8], seed: 48)
        let recorded = block(x, causal: true).output
        XCTAssertTrue(recorded.requiresGrad)
        let inferred = withoutGradient { block(x, causal: true).output }
        XCTAssertFalse(inferred.requiresGrad)
        XCTAssertNil(inferred.node)
        XCTAssertEqual(recorded.values, inferred.values)
    }

    func testViewsShareStorage() {
        let x = randomTensor([4, 3], seed: 49)
        XCTAssertTrue(x.reshaped([3, 4]).storage === x.storage)
        let rows = x.sliced(axis: 0, 1..<3)
        XCTAssertTrue(rows.storage === x.storage)
        XCTAssertEqual(rows.values, Array(x.values[3..<9]))
    }
}

extension Array {
    /// Consecutive runs of `size` elements.
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
