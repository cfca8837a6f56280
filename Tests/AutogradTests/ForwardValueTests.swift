import CKernels
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

    /// The C GELU (what every forward pass uses) against `x·Φ(x)` in Float64, with the same bits on its
    /// sixteen-lane (where the CPU has AVX-512), eight-lane and portable paths, for one element or many,
    /// and for every count around the vector widths, so that each path hands the rest to the next.
    /// NaN outputs are compared as NaN: which operand's sign a NaN product keeps is the compiler's choice.
    func testGELUKernelMatchesAReferenceOnEveryPath() {
        let special: [Float] = [0, -0.0, 1e-30, -1e-30, 40, -40, 1e30, -1e30]
        let finite = special + stride(from: Float(-9), through: 9, by: 0.0137).map { $0 } + special
        // Non-finite values first, where the widest path takes them; the finite specials at both ends.
        let inputs = [.nan, -.nan, .infinity, -.infinity] + finite
        // Each call writes `count` values into a longer buffer whose rest must stay as it was.
        let sentinel: Float = 12345
        func gelu(_ count: Int, lanes: Int32) -> [UInt32] {
            var y = [Float](repeating: sentinel, count: count + 16)
            prunelab_gelu_lanes(inputs, &y, count, lanes)
            XCTAssertEqual(y[count...].filter { $0 != sentinel }.count, 0, "written past \(count) values")
            return y.prefix(count).map { $0.isNaN ? Float.nan.bitPattern : $0.bitPattern }
        }
        let lanes: [Int32] = [16, 8, 1].filter { $0 <= prunelab_gelu_widest_lanes() }
        for count in Array(0...40) + [inputs.count - 1, inputs.count] {
            let portable = gelu(count, lanes: 1)
            for width in lanes { XCTAssertEqual(gelu(count, lanes: width), portable, "\(width) lanes, \(count) values") }
        }
        var widest = [Float](repeating: 0, count: inputs.count)
        prunelab_gelu(inputs, &widest, inputs.count)
        XCTAssertEqual(widest.map { $0.isNaN ? Float.nan.bitPattern : $0.bitPattern }, gelu(inputs.count, lanes: 16))
        XCTAssertEqual(widest.prefix(4).map(\.isNaN), [true, true, false, true])  // GELU(∞) = ∞; −∞·Φ(−∞) = −∞·0
        XCTAssertEqual(widest[2], .infinity)
        for (x, y) in zip(finite, widest.dropFirst(4)) {
            let reference = Double(x) * 0.5 * Foundation.erfc(-Double(x) / 2.0.squareRoot())
            XCTAssertEqual(Double(y), reference, accuracy: 2e-7 * Swift.max(1, abs(Double(x))), "GELU(\(x))")
            XCTAssertEqual(GELUKernel.value(x).bitPattern, y.bitPattern, "one element alone, GELU(\(x))")
        }
    }

    /// In a build for AVX2, the widest GELU path is sixteen lanes exactly where Linux reports AVX-512F
    /// (unless opted out); other builds (debug, portable) have one lane. Under valgrind, which hides
    /// AVX-512 from the program but not from /proc, it fails.
    func testGELUTakesAVX512WhereTheCPUHasIt() throws {
        guard let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else {
            throw XCTSkip("no /proc/cpuinfo to compare with")
        }
        let flags = cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ") ?? []
        let optedOut = !["", "0", nil].contains(ProcessInfo.processInfo.environment["PRUNELAB_NO_AVX512"])
        let avx512 = flags.contains("avx512f") && !optedOut
        XCTAssertEqual(prunelab_uses_avx512() != 0, avx512)
        let expected: Int32 = prunelab_gelu_built_for_avx2() == 0 ? 1 : avx512 ? 16 : 8
        XCTAssertEqual(prunelab_gelu_widest_lanes(), expected)
    }

    /// LayerNorm and RMSNorm, which compute their statistics in passes over all rows, give each row the
    /// bits of that row normalised alone (with `VectorMath.sum` and `dot`), for widths around the
    /// eight-float vectors and `VectorMath.elementwise`'s 32-float blocks; and those values match a Float64
    /// reference.
    func testRowNormalisationMatchesRowsAloneAndAReference() {
        for width in [1, 7, 8, 16, 32, 37, 45, 128] {
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

    /// `rowNorms` gives the bits of the operations it fuses, on whole matrices and on a view into a batch.
    func testRowNormsMatchTheComposedOperations() {
        for width in [1, 7, 8, 37, 128] {
            let batch = randomTensor([3, 5, width], seed: UInt64(width), scale: 3)
            for matrix in [batch.reshaped([15, width]), batch.sliced(axis: 0, 1..<2).reshaped([5, width])] {
                let composed = withoutGradient { (matrix * matrix).sum(axis: 1).sqrt() }.values
                XCTAssertEqual(matrix.rowNorms().map(\.bitPattern), composed.map(\.bitPattern), "width \(width)")
            }
        }
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

    /// Both paths: the general one (OpenBLAS) and batch-1 inference (inside `BLAS.latencyBound` without
    /// gradients: the fused per-head kernel without a keep mask), at sizes around the kernel's eight-lane
    /// blocks, head widths it takes (multiples of 8) and ones it leaves to the portable path, with and
    /// without a keep mask, causal or not, with a batch axis, and with fewer queries than keys (a query
    /// block continuing a cached prefix).
    func testAttentionAgainstNaiveDynamicViTFormula() {
        let shapes = [(6, 6, 8, 2, 1), (21, 21, 64, 2, 1), (17, 17, 40, 1, 1), (9, 9, 24, 1, 2), (5, 21, 64, 2, 1),
                      (1, 1, 32, 1, 1), (33, 33, 128, 4, 1)]
        for (queries, keys, width, heads, batch) in shapes {
            for inference in [false, true] {
                for causal in [false, true] {
                    for masked in [false, true] where !masked || queries == keys {
                        checkAttention(queries: queries, keys: keys, width: width, heads: heads, batch: batch,
                                       causal: causal, masked: masked, inference: inference)
                    }
                }
            }
        }
    }

    func checkAttention(queries: Int, keys: Int, width: Int, heads: Int, batch: Int, causal: Bool, masked: Bool,
                        inference: Bool, file: StaticString = #filePath, line: UInt = #line) {
        let batched = batch > 1
        func shape(_ rows: Int) -> [Int] { (batched ? [batch] : []) + [rows, width] }
        let q = randomTensor(shape(queries), seed: 42), k = randomTensor(shape(keys), seed: 43)
        let v = randomTensor(shape(keys), seed: 44)
        let keepValues = (0..<batch * keys).map { [1, 0, 0.5, 1, 0.2, 0][$0 % 6] as Float }
        let keep = masked ? Tensor(shape: (batched ? [batch] : []) + [keys], values: keepValues) : nil
        func run() -> AttentionResult {
            attention(query: q, key: k, value: v, heads: heads, causal: causal, keep: keep, returnProbabilities: true)
        }
        let result = inference ? BLAS.latencyBound { withoutGradient(run) } : run()
        let (qv, kv, vv) = (q.values, k.values, v.values)
        let (probabilities, output) = (result.probabilities!.values, result.output.values)
        let headWidth = width / heads
        let label = "\(queries)×\(keys), width \(width)/\(heads) heads, batch \(batch), causal \(causal), keep \(masked), inference \(inference)"
        for b in 0..<batch {
            for h in 0..<heads {
                for i in 0..<queries {
                    let visible = causal ? i + keys - queries + 1 : keys
                    let logits = (0..<visible).map { j in
                        (0..<headWidth).reduce(0.0) {
                            $0 + Double(qv[(b * queries + i) * width + h * headWidth + $1])
                                * Double(kv[(b * keys + j) * width + h * headWidth + $1])
                        } / Double(headWidth).squareRoot()
                    }
                    let maximum = logits.max()!
                    let own = i + keys - queries
                    let weights = logits.enumerated().map { j, a in
                        Foundation.exp(a - maximum) * (!masked || j == own ? 1 : Double(keepValues[b * keys + j]))
                    }
                    let denominator = weights.reduce(0, +) + (masked ? 1e-6 : 0)
                    for j in 0..<keys {
                        let expected = j < visible ? weights[j] / denominator : 0
                        XCTAssertEqual(Double(probabilities[((b * heads + h) * queries + i) * keys + j]), expected,
                                       accuracy: 1e-6, label, file: file, line: line)
                    }
                    for c in 0..<headWidth {
                        let expected = (0..<visible).reduce(0.0) {
                            $0 + weights[$1] / denominator * Double(vv[(b * keys + $1) * width + h * headWidth + c])
                        }
                        XCTAssertEqual(Double(output[(b * queries + i) * width + h * headWidth + c]), expected,
                                       accuracy: 1e-5, label, file: file, line: line)
                    }
                }
            }
        }
    }

    /// The fused inference kernel's portable path (what a machine without AVX2 and FMA runs, and the one
    /// for head widths that are not a multiple of 8 or above 64) gives the vector path's bits, for rows in
    /// pairs and alone, full and partial blocks of keys, heads of 1–8 vector chunks, and a NaN score (which
    /// makes its row NaN on both); and so does a block of queries computed in three calls (as threads
    /// split it, pairing its rows differently) rather than one.
    func testFusedAttentionPathsAndSplitsGiveTheSameBits() {
        for (queries, keys, headWidth, causal) in [(21, 21, 32, true), (21, 21, 32, false), (5, 21, 8, true),
                                                   (17, 40, 40, true), (8, 8, 64, true), (149, 149, 32, true),
                                                   (3, 7, 24, false), (1, 1, 16, true), (9, 9, 48, true),
                                                   (10, 12, 56, false), (7, 7, 12, true), (6, 6, 72, true)] {
            let width = 2 * headWidth + 3
            let q = randomTensor([queries, width], seed: UInt64(queries)), k = randomTensor([keys, width], seed: 7)
            let v = randomTensor([keys, width], seed: 8)
            if queries > 4 { q.withUnsafeMutableBufferPointer { $0[4 * width + 3] = .nan } }  // query 4's scores
            let thirds = [0..<queries / 3, queries / 3..<(2 * queries / 3 + 1), (2 * queries / 3 + 1)..<queries]
            var results: [[Float]] = []
            for (kernel, pieces) in [(prunelab_attention_head, [0..<queries]), (prunelab_attention_head_portable, [0..<queries]),
                                     (prunelab_attention_head, thirds.filter { !$0.isEmpty })] {
                let probabilities = Tensor(repeating: .nan, shape: [queries, keys])
                let output = Tensor(repeating: .nan, shape: [queries, width])
                for rows in pieces {
                    kernel(Int32(queries), Int32(keys), Int32(rows.lowerBound), Int32(rows.count), Int32(headWidth),
                           causal ? 1 : 0, 1 / Float(headWidth).squareRoot(), q.pointer + 3, width, k.pointer + 3, width,
                           v.pointer + 3, width, probabilities.pointer, output.pointer + 3, width)
                }
                let head = output.values.chunked(width).flatMap { $0.dropFirst(3).prefix(headWidth) }
                results.append(probabilities.values + head)
            }
            let context = "\(queries)×\(keys), head width \(headWidth), causal \(causal)"
            XCTAssertEqual(results[0].map(\.bitPattern), results[1].map(\.bitPattern), "portable, " + context)
            XCTAssertEqual(results[0].map(\.bitPattern), results[2].map(\.bitPattern), "split, " + context)
            // Every probability and output written: NaN only in the row of the query with a NaN.
            let probabilityRows = Array(results[0].prefix(queries * keys)).chunked(keys)
            for (row, values) in probabilityRows.enumerated() {
                XCTAssertEqual(values.contains { $0.isNaN }, row == 4 && queries > 4, "row \(row), " + context)
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
